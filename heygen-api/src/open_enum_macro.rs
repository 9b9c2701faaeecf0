//! Response enums that tolerate values this SDK does not know yet.
//!
//! typify generates closed enums, so a new video status or event type on
//! HeyGen's side would fail the decode of a whole response and break every
//! installed SDK. Every enum a response can carry (whether or not a request
//! can carry it too) is generated instead through
//! [`open_enum!`](crate::open_enum): the known values are variants,
//! anything else is kept in `Unknown(String)` and serializes back unchanged.
//! Building a request with one is unchanged: pass a known variant, or a
//! string (`From<&str>`/`From<String>`). Enums only requests carry stay
//! closed, so a typo is caught before sending.

/// Defines an open string enum. Used by the generated `open_enums` module.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// Open: a value HeyGen added after this SDK was generated decodes
        /// as `Unknown` (keeping the string) instead of failing the response.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this SDK does not know.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every value the spec lists.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the value is one the spec lists.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $( $value => Self::$variant, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let value: ::std::string::String = ::serde::Deserialize::deserialize(d)?;
                Ok(Self::from(value))
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::string::String {
                stringify!($name).to_string()
            }

            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                // The known values, marked open: any other string decodes too.
                let mut schema = ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    enum_values: Some(vec![$(::serde_json::Value::from($value)),*]),
                    ..Default::default()
                };
                schema
                    .extensions
                    .insert("x-open-enum".to_string(), ::serde_json::Value::Bool(true));
                schema.into()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        /// A test enum.
        Status {
            /// pending
            Pending = "pending",
            /// done
            Done = "done",
        }
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        let s: Status = serde_json::from_str("\"done\"").unwrap();
        assert_eq!(s, Status::Done);
        let s: Status = serde_json::from_str("\"waiting\"").unwrap();
        assert_eq!(s, Status::Unknown("waiting".into()));
        assert!(!s.is_known());
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"waiting\"");
        assert_eq!(Status::Pending.to_string(), "pending");
        assert_eq!(Status::KNOWN, &["pending", "done"]);
        assert!(
            serde_json::from_str::<Status>("5").is_err(),
            "still a string"
        );
        let schema = schemars::schema_for!(Status);
        let json = serde_json::to_value(&schema).unwrap();
        assert_eq!(json["enum"], serde_json::json!(["pending", "done"]));
        assert_eq!(json["x-open-enum"], serde_json::json!(true));
    }
}
