#!/usr/bin/env bash
# Tries every corpus spec through the pipeline, as FINDINGS.md records:
# `cargo xtask regen --spec` into /tmp/corpus-<app>, `cargo check`, then
# decodes each sample payload into its generated type and encodes it back
# (an example, examples/decode.rs, written into the generated crate).
# Usage: xtask/corpus/check.sh [app...]   (from the workspace root)
set -u
here=$(cd "$(dirname "$0")" && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/corpus-target}

# `<generated type> <sample file>` pairs per app.
types() {
  case $1 in
    nullable) echo ItemIn ItemIn ItemOut ItemOut Child Child ;;
    unions) echo EnvelopeOutput Envelope EnvelopeInput Envelope CreatePetResponse Pet \
      CreatePetBody Pet ListWorkersResponseItem WorkingAnimal HiredNote Versioned \
      ListWorkersBody Versioned ;;
    shapes) echo ProfileOutput Profile ProfileInput Profile PageProfile Page_Profile_ \
      TreeNode TreeNode PageTreeNode Page_TreeNode_ MoneyOutput Money MoneyInput Money ;;
    operations) echo Job Job NewJob NewJob NotFound NotFound Conflict Conflict \
      RateLimited RateLimited Uploaded Uploaded ErrorBody NotFound ErrorBody Conflict \
      ErrorBody RateLimited ;;
  esac
}

decode_example() { # app crate-ident pairs...
  local app=$1 crate=$2; shift 2
  cat <<'RS'
use serde::{Serialize, de::DeserializeOwned};
fn check<T: DeserializeOwned + Serialize>(ty: &str, file: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut bad = 0;
    for (i, p) in all.iter().enumerate() {
        match serde_json::from_value::<T>(p.clone()) {
            Err(e) => {
                bad += 1;
                println!("DECODE FAIL {ty} <- {file}[{i}]: {e}\n  payload: {p}");
            }
            Ok(v) => {
                let back = serde_json::to_value(&v).unwrap();
                if &back != p {
                    bad += 1;
                    println!("ROUNDTRIP DIFF {ty} <- {file}[{i}]\n  payload: {p}\n  back:    {back}");
                }
            }
        }
    }
    bad
}
fn main() {
    let mut bad = 0;
RS
  while [ $# -gt 0 ]; do
    echo "    bad += check::<$crate::types::$1>(\"$1\", \"$here/samples/$app/$2.json\");"
    shift 2
  done
  echo '    println!("{bad} difference(s)");'
  echo '}'
}

apps=${*:-nullable unions shapes operations}
for app in $apps; do
  dir=/tmp/corpus-$app
  echo "=== $app"
  if ! cargo xtask regen --spec "$here/specs/$app.json" --crate-dir "$dir" >"$dir.regen.log" 2>&1; then
    echo "regen FAILED: $dir.regen.log"; grep -m3 '^error' -A2 "$dir.regen.log"; continue
  fi
  if ! cargo check --offline --manifest-path "$dir/Cargo.toml" >"$dir.check.log" 2>&1; then
    echo "cargo check FAILED: $dir.check.log"; grep '^error' -A4 "$dir.check.log" | head -30; continue
  fi
  mkdir -p "$dir/examples"
  # shellcheck disable=SC2046
  decode_example "$app" "corpus_${app//-/_}" $(types "$app") >"$dir/examples/decode.rs"
  cargo run -q --offline --manifest-path "$dir/Cargo.toml" --example decode 2>/dev/null
done
