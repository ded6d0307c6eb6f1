//! The JSON Schema validator's errors as the issues of an
//! `IPCValidationError`: paths as segments, messages and the expected and
//! received values the TypeScript side shows.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::wire::{MAX_ISSUES, PathSegment, ValidationIssue, clip};

/// Every issue `validator` finds in `instance`, at most [`MAX_ISSUES`];
/// the flag tells that there were more.
pub(crate) fn collect_issues(
    validator: &jsonschema::Validator,
    instance: &Value,
) -> (Vec<ValidationIssue>, bool) {
    let mut issues = Vec::new();
    for error in validator.iter_errors(instance) {
        append_issues(&error, instance, &mut issues);
        if issues.len() > MAX_ISSUES {
            return (issues, true);
        }
    }
    (issues, false)
}

fn append_issues(error: &ValidationError<'_>, root: &Value, out: &mut Vec<ValidationIssue>) {
    let path = instance_path(error.instance_path().as_str(), root);
    let instance = error.instance();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let mut path = path;
            let name = property.as_str().unwrap_or_default().to_owned();
            path.push(PathSegment::Key(name));
            out.push(ValidationIssue::new(path, "Required").received("undefined"));
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for key in unexpected {
                let mut path = path.clone();
                path.push(PathSegment::Key(key.clone()));
                out.push(ValidationIssue::new(
                    path,
                    format!("Unrecognized key \"{}\"", clip(key, 64)),
                ));
            }
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // A tagged union: when exactly one branch accepts the tag, its
            // issues say what is wrong; otherwise the value matches no shape.
            let candidates: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| !branch.iter().any(|e| is_discriminator_failure(e, &path)))
                .collect();
            if let [branch] = candidates.as_slice() {
                for error in branch.iter() {
                    append_issues(error, root, out);
                }
            } else {
                out.push(
                    ValidationIssue::new(path, "Invalid input: matches none of the allowed shapes")
                        .received(json_type(instance)),
                );
            }
        }
        kind => out.push(describe(kind, instance, path)),
    }
}

/// Whether `error` rejects a branch of a union for its tag: a `const`,
/// `enum` or `type` failure on a direct property of the union's value, or
/// a `type` failure on the value itself.
fn is_discriminator_failure(error: &ValidationError<'_>, union_path: &[PathSegment]) -> bool {
    let root = Value::Null;
    let path = instance_path(error.instance_path().as_str(), &root);
    match error.kind() {
        ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. } => {
            path.len() == union_path.len() + 1
        }
        ValidationErrorKind::Type { .. } => path.len() == union_path.len(),
        ValidationErrorKind::Required { .. } => false,
        _ => false,
    }
}

fn describe(
    kind: &ValidationErrorKind,
    instance: &Value,
    path: Vec<PathSegment>,
) -> ValidationIssue {
    let issue = |message: String| ValidationIssue::new(path.clone(), message);
    match kind {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(single) => single.to_string(),
                TypeKind::Multiple(many) => many
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" | "),
            };
            let received = json_type(instance);
            issue(format!("Expected {expected}, received {received}"))
                .expected(expected)
                .received(received)
        }
        ValidationErrorKind::Constant { expected_value } => {
            let expected = clip(&expected_value.to_string(), 64);
            issue(format!("Invalid literal value, expected {expected}"))
                .expected(expected)
                .received(short_value(instance))
        }
        ValidationErrorKind::Enum { options } => {
            let expected = match options.as_ref() {
                Value::Array(items) => items
                    .iter()
                    .map(|item| clip(&item.to_string(), 64))
                    .collect::<Vec<_>>()
                    .join(" | "),
                other => clip(&other.to_string(), 64),
            };
            let received = short_value(instance);
            issue(format!(
                "Invalid enum value. Expected {expected}, received {received}"
            ))
            .expected(expected)
            .received(received)
        }
        ValidationErrorKind::MinLength { limit } => {
            issue(format!("String must contain at least {limit} character(s)"))
                .expected(format!("length >= {limit}"))
                .received(format!("length {}", string_length(instance)))
        }
        ValidationErrorKind::MaxLength { limit } => {
            issue(format!("String must contain at most {limit} character(s)"))
                .expected(format!("length <= {limit}"))
                .received(format!("length {}", string_length(instance)))
        }
        ValidationErrorKind::Minimum { limit } => {
            issue(format!("Number must be greater than or equal to {limit}"))
                .expected(format!(">= {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::Maximum { limit } => {
            issue(format!("Number must be less than or equal to {limit}"))
                .expected(format!("<= {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            issue(format!("Number must be greater than {limit}"))
                .expected(format!("> {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            issue(format!("Number must be less than {limit}"))
                .expected(format!("< {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            issue(format!("Number must be a multiple of {multiple_of}"))
                .expected(format!("multiple of {multiple_of}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::MinItems { limit } => {
            issue(format!("Array must contain at least {limit} element(s)"))
                .expected(format!("length >= {limit}"))
                .received(format!("length {}", array_length(instance)))
        }
        ValidationErrorKind::MaxItems { limit } => {
            issue(format!("Array must contain at most {limit} element(s)"))
                .expected(format!("length <= {limit}"))
                .received(format!("length {}", array_length(instance)))
        }
        ValidationErrorKind::UniqueItems => issue("Array items must be unique".to_owned()),
        ValidationErrorKind::MinProperties { limit } => {
            issue(format!("Object must have at least {limit} propert(ies)"))
        }
        ValidationErrorKind::MaxProperties { limit } => {
            issue(format!("Object must have at most {limit} propert(ies)"))
        }
        ValidationErrorKind::Pattern { pattern }
            if let Some((message, expected)) = instance
                .as_str()
                .and_then(|text| crate::wide::explain_pattern(pattern, text)) =>
        {
            issue(message)
                .expected(expected)
                .received(short_value(instance))
        }
        ValidationErrorKind::Pattern { pattern } => issue(format!(
            "String must match the pattern {}",
            clip(pattern, 64)
        ))
        .expected(format!("pattern {}", clip(pattern, 64))),
        ValidationErrorKind::Format { format } => {
            issue(format!("Invalid {format}")).expected(format.clone())
        }
        ValidationErrorKind::FalseSchema => issue("No value is allowed here".to_owned()),
        ValidationErrorKind::Not { .. } => issue("Value is not allowed here".to_owned()),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            issue("Invalid input: matches more than one of the allowed shapes".to_owned())
        }
        ValidationErrorKind::BacktrackLimitExceeded { .. }
        | ValidationErrorKind::RegexEngineFailure { .. } => {
            issue("String could not be checked against its pattern".to_owned())
        }
        _ => issue(format!("Invalid value ({})", kind.keyword())),
    }
}

/// The JSON Pointer `pointer` as segments: a token is an index when the
/// value it steps into (in `root`) is an array, a key otherwise.
fn instance_path(pointer: &str, root: &Value) -> Vec<PathSegment> {
    let mut segments = Vec::new();
    let mut current = Some(root);
    for token in pointer.split('/').skip(1) {
        let key = token.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => match key.parse::<usize>() {
                Ok(index) => {
                    current = items.get(index);
                    segments.push(PathSegment::Index(index));
                }
                Err(_) => {
                    current = None;
                    segments.push(PathSegment::Key(key));
                }
            },
            Some(Value::Object(object)) => {
                current = object.get(&key);
                segments.push(PathSegment::Key(key));
            }
            _ => {
                current = None;
                segments.push(match key.parse::<usize>() {
                    Ok(index) => PathSegment::Index(index),
                    Err(_) => PathSegment::Key(key),
                });
            }
        }
    }
    segments
}

/// A JSON type name as the issues use it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The value itself when it is a scalar of modest size, else its type.
fn short_value(value: &Value) -> String {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::String(text) if text.len() <= 64 => value.to_string(),
        other => json_type(other).to_owned(),
    }
}

fn string_length(value: &Value) -> usize {
    value.as_str().map_or(0, |text| text.chars().count())
}

fn array_length(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

/// The path serde_path_to_error tracked, as the wire's path segments
/// (a variant name is a key, as in the schema's `oneOf` branch).
pub(crate) fn serde_path(path: &serde_path_to_error::Path) -> Vec<PathSegment> {
    path.iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(PathSegment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(PathSegment::Key(key.clone())),
            serde_path_to_error::Segment::Enum { variant } => {
                Some(PathSegment::Key(variant.clone()))
            }
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integer_paths_distinguish_indices_from_numeric_keys() {
        let root = json!({"0": [{"1": 5}]});
        assert_eq!(
            instance_path("/0/0/1", &root),
            vec![
                PathSegment::Key("0".into()),
                PathSegment::Index(0),
                PathSegment::Key("1".into())
            ]
        );
        assert_eq!(
            instance_path("/a~1b/c~0d", &json!({"a/b": {"c~d": 1}})),
            vec![
                PathSegment::Key("a/b".into()),
                PathSegment::Key("c~d".into())
            ]
        );
    }
}
