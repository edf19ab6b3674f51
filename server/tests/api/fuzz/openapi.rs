//! The API's operations, read from the OpenAPI document the running service serves, plus
//! the routes of `api_paths()` it does not describe; and plausible bodies for them.

use serde_json::{json, Map, Value};

use super::{
    case::{placeholders, Auth, Effect},
    world::World,
};

#[derive(Debug)]
pub(super) struct Operation {
    /// Upper case, as sent.
    pub(super) method: String,
    pub(super) template: String,
    pub(super) path_params: Vec<String>,
    pub(super) query_params: Vec<String>,
    /// The request body's schema, `$ref`s resolved.
    pub(super) schema: Option<Value>,
    /// The credentials it takes (`Anonymous` when none, or when they are optional).
    pub(super) auth: Vec<Auth>,
    pub(super) documented: bool,
}

impl Operation {
    pub(super) fn route(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// The valid credentials its cases carry.
    pub(super) fn main_auth(&self) -> Auth {
        self.auth
            .iter()
            .copied()
            .find(|a| *a != Auth::Anonymous)
            .unwrap_or(Auth::Anonymous)
    }

    pub(super) fn effect(&self) -> Effect {
        match (self.method.as_str(), self.template.as_str()) {
            ("POST", "/api/v1/links") | ("DELETE", "/api/v1/link") => Effect::Link,
            ("PUT", "/api/v1/account") => Effect::Edit,
            ("POST", "/api/v1/account/machines/{machine_id}/unlink") => Effect::OtherMachine,
            _ => Effect::None,
        }
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

pub(super) fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("the document's paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let parameters: Vec<Value> = item["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(op["parameters"].as_array().into_iter().flatten())
                .map(|p| resolve(doc, p, 0))
                .collect();
            let named = |place: &str| -> Vec<String> {
                parameters
                    .iter()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            };
            let mut path_params = placeholders(template);
            for name in named("path") {
                if !path_params.contains(&name) {
                    path_params.push(name);
                }
            }
            let schema = op["requestBody"]["content"]
                .as_object()
                .and_then(|content| content.iter().find(|(t, _)| t.contains("json")))
                .map(|(_, media)| resolve(doc, &media["schema"], 0));
            let security = op.get("security").or_else(|| doc.get("security"));
            found.push(Operation {
                method: method.to_uppercase(),
                template: template.clone(),
                path_params,
                query_params: named("query"),
                schema,
                auth: auth_of(security),
                documented: true,
            });
        }
    }
    // Served but not described: fuzzed all the same, with each kind of credentials.
    for (method, template) in &account_server::routes::api_paths() {
        if found
            .iter()
            .any(|o| o.method.eq_ignore_ascii_case(method) && o.template == *template)
        {
            continue;
        }
        eprintln!("note: {method} {template} is served but not in the OpenAPI document");
        found.push(Operation {
            method: method.to_uppercase(),
            template: template.to_string(),
            path_params: placeholders(template),
            query_params: Vec::new(),
            schema: matches!(*method, "post" | "put" | "patch").then(|| json!({})),
            auth: vec![Auth::MachineToken, Auth::ApiToken, Auth::Anonymous],
            documented: false,
        });
    }
    found
}

fn auth_of(security: Option<&Value>) -> Vec<Auth> {
    let Some(requirements) = security.and_then(Value::as_array) else {
        return vec![Auth::Anonymous];
    };
    let mut auth = Vec::new();
    for requirement in requirements {
        let Some(schemes) = requirement.as_object() else {
            continue;
        };
        if schemes.is_empty() {
            auth.push(Auth::Anonymous);
        }
        for scheme in schemes.keys() {
            auth.push(if scheme.to_ascii_lowercase().contains("support") {
                Auth::ApiToken
            } else {
                Auth::MachineToken
            });
        }
    }
    if auth.is_empty() {
        auth.push(Auth::Anonymous);
    }
    auth
}

/// The schema with every `$ref` replaced by what it points to.
fn resolve(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 64 {
        return json!({});
    }
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|pointer| doc.pointer(pointer))
                    .unwrap_or_else(|| panic!("{reference} points nowhere in the document"));
                return resolve(doc, target, depth + 1);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(doc, v, depth + 1)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(doc, v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// The object alternative of a schema (itself, or one of its `oneOf`/`anyOf`).
fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    if let Some(props) = schema["properties"].as_object() {
        return Some(props);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .find_map(properties)
}

/// A value of the schema, plausible field by field.
pub(super) fn sample(world: &World, op: &Operation, schema: &Value, name: &str) -> Value {
    if let Some(value) = world.good(name, &op.template) {
        return value;
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(props) = properties(schema) {
        return Value::Object(
            props
                .iter()
                .map(|(k, s)| (k.clone(), sample(world, op, s, k)))
                .collect(),
        );
    }
    if let Some(value) = schema["enum"]
        .as_array()
        .and_then(|e| e.iter().find(|v| !v.is_null()))
    {
        return value.clone();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    match types.iter().find(|t| **t != "null") {
        Some(&"string") => json!("fuzz"),
        Some(&"integer") => json!(1),
        Some(&"number") => json!(1.5),
        Some(&"boolean") => json!(false),
        Some(&"array") => json!([]),
        Some(&"object") => json!({}),
        _ => Value::Null,
    }
}

/// Every field of the schema, nested ones too, as paths.
pub(super) fn field_paths(schema: &Value, prefix: &[String], out: &mut Vec<Vec<String>>) {
    if let Some(props) = properties(schema) {
        for (name, sub) in props {
            let mut path = prefix.to_vec();
            path.push(name.clone());
            out.push(path.clone());
            field_paths(sub, &path, out);
        }
    }
}

pub(super) fn set_at(value: &mut Value, path: &[String], new: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = value;
    for key in parents {
        if !here.is_object() {
            *here = json!({});
        }
        here = here
            .as_object_mut()
            .unwrap()
            .entry(key.clone())
            .or_insert_with(|| json!({}));
    }
    if !here.is_object() {
        *here = json!({});
    }
    let object = here.as_object_mut().unwrap();
    match new {
        Some(new) => {
            object.insert(last.clone(), new);
        }
        None => {
            object.remove(last);
        }
    }
}
