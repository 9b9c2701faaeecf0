//! Per-operation glue generated from the normalized spec: the operation
//! facts table heygen-api's hooks consult, and the pagination impls
//! heygen-api-ext uses for `.items()`/`.pages()`.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::names::pascal;
use crate::normalize::Normalized;
use crate::spec::{self, deref};

/// One query parameter's numeric bounds, as the spec states them.
pub struct QueryBound {
    pub name: String,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

/// What the glue needs to know about one operation.
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub idempotency_key: bool,
    pub query_bounds: Vec<QueryBound>,
    /// Takes a `token` query parameter (a cursor it can be walked with).
    pub takes_token: bool,
    /// The lowest 2xx status the spec declares for it.
    pub success_status: u16,
}

impl Operation {
    /// The method name progenitor gives the operation (and passes to the
    /// hooks as `OperationInfo::operation_id`).
    pub fn rust_name(&self) -> String {
        heck::ToSnakeCase::to_snake_case(self.id.as_str())
    }

    /// The builder struct progenitor generates for it.
    pub fn builder_name(&self) -> String {
        heck::ToPascalCase::to_pascal_case(self.id.as_str())
    }
}

pub struct Operations {
    pub ops: Vec<Operation>,
    pub version: String,
    pub left_out: Vec<(String, String)>,
    pub error_type: String,
}

impl Operations {
    pub fn from_doc(doc: &Value, normalized: &Normalized) -> Result<Operations> {
        let mut ops = Vec::new();
        for o in spec::operations(doc) {
            let (path, method, op) = (o.path, o.method, o.op);
            let id = o.id().unwrap_or_default().to_string();
            let params = o.parameters(doc);
            let mut query_bounds = Vec::new();
            let mut idempotency_key = false;
            let mut takes_token = false;
            for p in params {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                match p.get("in").and_then(Value::as_str) {
                    Some("header") if name.eq_ignore_ascii_case("idempotency-key") => {
                        idempotency_key = true;
                    }
                    Some("query") => {
                        if name == "token" {
                            takes_token = true;
                        }
                        let schema = p.get("schema").map(|s| deref(doc, s));
                        let bound = |k: &str| {
                            schema
                                .and_then(|s| s.get(k))
                                .and_then(Value::as_f64)
                                .map(|v| {
                                    // Exclusive bounds tighten by one for integers.
                                    let excl = schema
                                        .and_then(|s| s.get(format!("exclusive{}", &pascal(k))))
                                        == Some(&Value::Bool(true));
                                    let v = v as i64;
                                    match (excl, k) {
                                        (true, "minimum") => v + 1,
                                        (true, _) => v - 1,
                                        _ => v,
                                    }
                                })
                        };
                        let (minimum, maximum) = (bound("minimum"), bound("maximum"));
                        if minimum.is_some() || maximum.is_some() {
                            query_bounds.push(QueryBound {
                                name: name.to_string(),
                                minimum,
                                maximum,
                            });
                        }
                    }
                    _ => {}
                }
            }
            let success_status = success_status(op).with_context(|| {
                format!(
                    "{} {path} ({id}) declares no 2xx response",
                    method.to_uppercase()
                )
            })?;
            ops.push(Operation {
                id,
                method: method.to_uppercase(),
                path: path.to_string(),
                idempotency_key,
                query_bounds,
                takes_token,
                success_status,
            });
        }
        // Sorted by the name progenitor passes to the hooks, for binary search.
        ops.sort_by_key(Operation::rust_name);
        let version = doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Operations {
            ops,
            version,
            left_out: normalized.left_out.clone(),
            error_type: normalized.error_type.clone(),
        })
    }

    /// `heygen-api/src/operations.rs`.
    pub fn operations_rs(&self, sha256: &str) -> Result<String> {
        let mut s = String::new();
        writeln!(
            s,
            "//! Facts about every generated operation, read from the spec: what the\n\
             //! request hooks need to know without parsing URLs (which operations honour\n\
             //! an `Idempotency-Key`, the bounds of numeric query parameters, the status\n\
             //! each declares for success).\n"
        )?;
        writeln!(s, "use crate::operation::{{Operation, QueryBound}};\n")?;
        writeln!(
            s,
            "/// `info.version` of the spec this crate was generated from."
        )?;
        writeln!(s, "pub const SPEC_VERSION: &str = {:?};", self.version)?;
        writeln!(
            s,
            "/// sha256 of the spec file this crate was generated from."
        )?;
        writeln!(s, "pub const SPEC_SHA256: &str = {sha256:?};\n")?;
        writeln!(
            s,
            "/// The type every operation's error responses decode into."
        )?;
        writeln!(
            s,
            "pub type ErrorBody = crate::types::{};\n",
            self.error_type
        )?;
        writeln!(
            s,
            "/// Operations in the spec that are not generated, and what replaces them."
        )?;
        writeln!(s, "pub const LEFT_OUT: &[(&str, &str)] = &[")?;
        for (id, instead) in &self.left_out {
            writeln!(s, "    ({id:?}, {instead:?}),")?;
        }
        writeln!(s, "];\n")?;
        writeln!(s, "/// Every generated operation, sorted by `rust_name`.")?;
        writeln!(s, "pub const OPERATIONS: &[Operation] = &[")?;
        for op in &self.ops {
            writeln!(s, "    Operation {{")?;
            writeln!(s, "        id: {:?},", op.id)?;
            writeln!(s, "        rust_name: {:?},", op.rust_name())?;
            writeln!(s, "        method: {:?},", op.method)?;
            writeln!(s, "        path: {:?},", op.path)?;
            writeln!(s, "        idempotency_key: {},", op.idempotency_key)?;
            writeln!(s, "        paginated: {},", op.takes_token)?;
            writeln!(s, "        success_status: {},", op.success_status)?;
            if op.query_bounds.is_empty() {
                writeln!(s, "        query_bounds: &[],")?;
            } else {
                writeln!(s, "        query_bounds: &[")?;
                for b in &op.query_bounds {
                    writeln!(
                        s,
                        "            QueryBound {{ name: {:?}, minimum: {:?}, maximum: {:?} }},",
                        b.name, b.minimum, b.maximum
                    )?;
                }
                writeln!(s, "        ],")?;
            }
            writeln!(s, "    }},")?;
        }
        writeln!(s, "];")?;
        Ok(s)
    }

    /// `heygen-api-ext/src/paginate/generated.rs`: a `Paginated` impl for
    /// every operation that takes a `token` and answers a `next_token`.
    /// Field types are read from the generated client itself, so the glue
    /// always matches what typify produced.
    pub fn pagination_rs(&self, types: &TypeIndex) -> Result<String> {
        let mut s = String::new();
        writeln!(
            s,
            "//! `Paginated` for every list operation of the spec.\n\n\
             use heygen_api::builder;\n\
             #[allow(unused_imports)]\n\
             use heygen_api::types;\n\n\
             use super::fields::{{IntoCursor as _, IntoFlag as _, IntoItems as _}};\n\
             use super::{{Page, Paginated}};\n\
             use crate::Error;\n\
             use heygen_api::hooks::BoxFuture;\n"
        )?;
        let mut count = 0;
        for op in self.ops.iter().filter(|o| o.takes_token) {
            let builder = op.builder_name();
            let Some(response) = types.send_output(&builder) else {
                bail!("no builder `{builder}` with a `send` method for {}", op.id);
            };
            let Some(fields) = types.fields(&response) else {
                // Not an object response: nothing to walk.
                continue;
            };
            // Where the cursor lives: beside `data` (lists), or inside it
            // (batch GETs page over `data.items`).
            let (item, holder) = match fields.get("data").map(classify) {
                Some(Shape::List(item)) if fields.contains_key("next_token") => (
                    item,
                    Holder::Root {
                        has_more: fields.contains_key("has_more"),
                    },
                ),
                Some(Shape::Struct { name, optional }) => {
                    let Some(inner) = types.fields(&name) else {
                        continue;
                    };
                    match inner.get("items").map(classify) {
                        Some(Shape::List(item)) if inner.contains_key("next_token") => (
                            item,
                            Holder::Data {
                                optional,
                                has_more: inner.contains_key("has_more"),
                            },
                        ),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            count += 1;
            writeln!(s, "impl<'a> Paginated<'a> for builder::{builder}<'a> {{")?;
            writeln!(s, "    type Item = {item};")?;
            writeln!(s, "    const OPERATION_ID: &'static str = {:?};", op.id)?;
            writeln!(s, "    fn with_token(self, token: String) -> Self {{")?;
            writeln!(s, "        self.token(token)")?;
            writeln!(s, "    }}")?;
            writeln!(
                s,
                "    fn fetch(self) -> BoxFuture<'a, Result<Page<Self::Item>, Error>> {{"
            )?;
            // `fetch_page` sends, and turns a page without its list (the
            // closure's `None`) into an error rather than an empty last page.
            writeln!(
                s,
                "        Box::pin(super::fetch_page(Self::OPERATION_ID, self.send(), |page| {{"
            )?;
            let (var, items_field, has_more) = match holder {
                Holder::Root { has_more } => ("page", "data", has_more),
                Holder::Data { optional, has_more } => {
                    let take = if optional { "page.data?" } else { "page.data" };
                    writeln!(s, "            let data = {take};")?;
                    ("data", "items", has_more)
                }
            };
            writeln!(s, "            Some(Page {{")?;
            writeln!(
                s,
                "                items: {var}.{items_field}.into_items()?,"
            )?;
            writeln!(
                s,
                "                next_token: {var}.next_token.into_cursor(),"
            )?;
            if has_more {
                writeln!(s, "                has_more: {var}.has_more.into_flag(),")?;
            } else {
                writeln!(s, "                has_more: None,")?;
            }
            writeln!(s, "            }})")?;
            writeln!(s, "        }}))")?;
            writeln!(s, "    }}")?;
            writeln!(s, "}}\n")?;
        }
        writeln!(s, "/// How many operations have a `Paginated` impl.")?;
        writeln!(s, "#[allow(dead_code)]")?;
        writeln!(s, "pub(crate) const PAGINATED_OPERATIONS: usize = {count};")?;
        Ok(s)
    }
}

impl Operations {
    /// `heygen-api-ext/src/data/generated.rs`: a `SendData` impl for every
    /// operation, handing back the response's `data` payload (the whole
    /// response where it has none). Read from the generated client, like
    /// the pagination glue.
    pub fn data_rs(&self, types: &TypeIndex) -> Result<String> {
        let mut s = String::new();
        writeln!(
            s,
            "//! `SendData` for every operation of the spec.\n\n\
             use std::future::Future;\n\n\
             use heygen_api::builder;\n\
             #[allow(unused_imports)]\n\
             use heygen_api::types;\n\n\
             use super::{{SendData, payload}};\n\
             use crate::Error;\n"
        )?;
        for op in &self.ops {
            let builder = op.builder_name();
            let Some(response) = types.send_output(&builder) else {
                bail!("no builder `{builder}` with a `send` method for {}", op.id);
            };
            let data = types.fields(&response).and_then(|f| f.get("data"));
            let (data_type, take) = match data {
                Some(ty) => match generic_arg(ty, "Option") {
                    Some(inner) => (type_source(inner), "|r| r.data"),
                    None => (type_source(ty), "|r| Some(r.data)"),
                },
                None => (format!("types::{response}"), "Some"),
            };
            writeln!(s, "impl<'a> SendData<'a> for builder::{builder}<'a> {{")?;
            writeln!(s, "    type Data = {data_type};")?;
            writeln!(
                s,
                "    fn data(self) -> impl Future<Output = Result<Self::Data, Error>> + Send + 'a {{"
            )?;
            writeln!(s, "        payload({:?}, self.send(), {take})", op.id)?;
            writeln!(s, "    }}")?;
            writeln!(s, "}}\n")?;
        }
        Ok(s)
    }
}

enum Holder {
    Root { has_more: bool },
    Data { optional: bool, has_more: bool },
}

enum Shape {
    /// `Vec<T>` or `Option<Vec<T>>`: the item type, as Rust source.
    List(String),
    /// A generated struct, possibly optional.
    Struct {
        name: String,
        optional: bool,
    },
    Other,
}

/// Peels `Option<..>` and `Vec<..>` off a field type.
fn classify(ty: &syn::Type) -> Shape {
    let (ty, optional) = match generic_arg(ty, "Option") {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    if let Some(item) = generic_arg(ty, "Vec") {
        return Shape::List(type_source(item));
    }
    match ty {
        syn::Type::Path(p) if p.path.segments.len() == 1 => Shape::Struct {
            name: p.path.segments[0].ident.to_string(),
            optional,
        },
        _ => Shape::Other,
    }
}

/// `T` of a setter's `where V: std::convert::TryInto<T>` (the first such
/// bound), to read or to rewrite.
pub(crate) fn try_into_target(sig: &mut syn::Signature) -> Option<&mut syn::Type> {
    let clause = sig.generics.where_clause.as_mut()?;
    clause.predicates.iter_mut().find_map(|pred| {
        let syn::WherePredicate::Type(pt) = pred else {
            return None;
        };
        pt.bounds.iter_mut().find_map(|bound| {
            let syn::TypeParamBound::Trait(tb) = bound else {
                return None;
            };
            let last = tb.path.segments.last_mut()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
                return None;
            };
            match args.args.first_mut()? {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }
        })
    })
}

/// `T` of `Wrapper<T>` (the last path segment named `wrapper`).
pub(crate) fn generic_arg<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// A type from inside `mod types`, written so it resolves from the glue:
/// bare capitalized names, at any depth (`Vec<Asset>`), are generated
/// types, and `crate` is heygen-api.
fn type_source(ty: &syn::Type) -> String {
    let ty = outside_heygen_api(ty);
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// [`type_source`] as a type.
pub(crate) fn outside_heygen_api(ty: &syn::Type) -> syn::Type {
    struct Qualify;
    impl syn::visit_mut::VisitMut for Qualify {
        fn visit_type_path_mut(&mut self, tp: &mut syn::TypePath) {
            syn::visit_mut::visit_type_path_mut(self, tp);
            let generated = tp.qself.is_none()
                && tp.path.leading_colon.is_none()
                && tp.path.segments.len() == 1
                && tp.path.segments[0]
                    .ident
                    .to_string()
                    .starts_with(|c: char| c.is_ascii_uppercase());
            if generated {
                tp.path.segments.insert(0, syn::parse_quote!(types));
            }
            // Replacement types name their home as `crate::...` of heygen-api.
            if tp.path.segments.first().is_some_and(|s| s.ident == "crate") {
                tp.path.segments[0] = syn::parse_quote!(heygen_api);
            }
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Qualify, &mut ty);
    ty
}

/// The structs of the generated `types` module and the builders' `send`
/// output types.
pub struct TypeIndex {
    structs: BTreeMap<String, BTreeMap<String, syn::Type>>,
    sends: BTreeMap<String, String>,
}

impl TypeIndex {
    /// Indexes the generated client's source.
    pub fn parse(client_src: &str) -> Result<Self> {
        let file: syn::File = syn::parse_str(client_src).context("parsing the generated client")?;
        Ok(Self::new(&file))
    }

    fn new(file: &syn::File) -> Self {
        let mut structs = BTreeMap::new();
        let mut sends = BTreeMap::new();
        for item in &file.items {
            let syn::Item::Mod(m) = item else { continue };
            let Some((_, items)) = &m.content else {
                continue;
            };
            match m.ident.to_string().as_str() {
                "types" => {
                    for item in items {
                        if let syn::Item::Struct(st) = item {
                            let fields = st
                                .fields
                                .iter()
                                .filter_map(|f| {
                                    let name = f.ident.as_ref()?.to_string();
                                    Some((name.trim_start_matches("r#").to_string(), f.ty.clone()))
                                })
                                .collect();
                            structs.insert(st.ident.to_string(), fields);
                        }
                    }
                }
                "builder" => {
                    for item in items {
                        let syn::Item::Impl(imp) = item else { continue };
                        let syn::Type::Path(self_ty) = &*imp.self_ty else {
                            continue;
                        };
                        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string())
                        else {
                            continue;
                        };
                        for it in &imp.items {
                            let syn::ImplItem::Fn(f) = it else { continue };
                            if f.sig.ident != "send" {
                                continue;
                            }
                            let syn::ReturnType::Type(_, ret) = &f.sig.output else {
                                continue;
                            };
                            // Result<ResponseValue<types::X>, Error<..>>
                            let ok = generic_arg(ret, "Result")
                                .and_then(|t| generic_arg(t, "ResponseValue"));
                            if let Some(syn::Type::Path(p)) = ok
                                && let Some(last) = p.path.segments.last()
                            {
                                sends.insert(name.clone(), last.ident.to_string());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Self { structs, sends }
    }

    fn send_output(&self, builder: &str) -> Option<String> {
        self.sends.get(builder).cloned()
    }

    fn fields(&self, name: &str) -> Option<&BTreeMap<String, syn::Type>> {
        self.structs.get(name)
    }
}

/// The lowest 2xx status among an operation's declared responses (`2XX`
/// counts as 200).
fn success_status(op: &Value) -> Option<u16> {
    op.get("responses")?
        .as_object()?
        .keys()
        .filter_map(|code| match code.as_str() {
            "2XX" | "2xx" => Some(200),
            code => code.parse::<u16>().ok().filter(|c| (200..300).contains(c)),
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate_client, prepare_text};

    const SPEC: &str = r#"openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /v3/things:
    get:
      operationId: listThings
      parameters:
        - {name: token, in: query, required: false, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/ThingList'}}}
  /v3/batches/{batch_id}:
    get:
      operationId: getBatch
      parameters:
        - {name: batch_id, in: path, required: true, schema: {type: string}}
        - {name: token, in: query, required: false, schema: {type: string}}
      responses:
        '202':
          description: accepted
          content: {application/json: {schema: {$ref: '#/components/schemas/BatchResponse'}}}
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/BatchResponse'}}}
components:
  schemas:
    Thing:
      type: object
      properties: {id: {type: string}}
      required: [id]
    ThingList:
      type: object
      properties:
        data: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        has_more: {type: boolean}
        next_token: {anyOf: [{type: string}, {type: 'null'}]}
      required: [data, has_more]
    Batch:
      type: object
      properties:
        items: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        next_token: {anyOf: [{type: string}, {type: 'null'}]}
      required: [items]
    BatchResponse:
      type: object
      properties:
        data: {anyOf: [{$ref: '#/components/schemas/Batch'}, {type: 'null'}]}
"#;

    fn operations_and_index() -> (Operations, TypeIndex) {
        let prepared = prepare_text(SPEC, "test").unwrap();
        let ops = Operations::from_doc(&prepared.normalized.doc, &prepared.normalized).unwrap();
        let client = generate_client(&prepared, None, &[]).unwrap();
        (ops, TypeIndex::parse(&client).unwrap())
    }

    /// Every page goes through `fetch_page`; a page without its list is
    /// `None` there (an error), never an empty last page.
    #[test]
    fn pagination_glue_splits_pages_for_fetch_page() {
        let (ops, index) = operations_and_index();
        let rs = ops.pagination_rs(&index).unwrap();
        let list = "    fn fetch(self) -> BoxFuture<'a, Result<Page<Self::Item>, Error>> {
        Box::pin(super::fetch_page(Self::OPERATION_ID, self.send(), |page| {
            Some(Page {
                items: page.data.into_items()?,
                next_token: page.next_token.into_cursor(),
                has_more: page.has_more.into_flag(),
            })
        }))
    }";
        let batch = "    fn fetch(self) -> BoxFuture<'a, Result<Page<Self::Item>, Error>> {
        Box::pin(super::fetch_page(Self::OPERATION_ID, self.send(), |page| {
            let data = page.data?;
            Some(Page {
                items: data.items.into_items()?,
                next_token: data.next_token.into_cursor(),
                has_more: None,
            })
        }))
    }";
        assert!(rs.contains(list), "{rs}");
        assert!(rs.contains(batch), "{rs}");
        assert!(!rs.contains(".await"), "{rs}");
        assert!(rs.contains("PAGINATED_OPERATIONS: usize = 2;"), "{rs}");
    }

    #[test]
    fn the_success_status_is_the_lowest_declared_2xx() {
        let (ops, _) = operations_and_index();
        let status: Vec<(&str, u16)> = ops
            .ops
            .iter()
            .map(|o| (o.id.as_str(), o.success_status))
            .collect();
        assert_eq!(status, [("getBatch", 200), ("listThings", 200)]);
        let rs = ops.operations_rs("sha").unwrap();
        assert!(rs.contains("        success_status: 200,\n"), "{rs}");
        let only_202 = SPEC.replacen("        '200':\n          description: ok\n          content: {application/json: {schema: {$ref: '#/components/schemas/BatchResponse'}}}\n", "", 1);
        let prepared = prepare_text(&only_202, "test").unwrap();
        let ops = Operations::from_doc(&prepared.normalized.doc, &prepared.normalized).unwrap();
        let batch = ops.ops.iter().find(|o| o.id == "getBatch").unwrap();
        assert_eq!(batch.success_status, 202);
    }
}
