//! Command-line options of the benches that take their own arguments.

/// The value after `--<name>` on the command line, at least 1; `default`
/// when the option is absent.
pub(crate) fn count_option(name: &str, default: usize) -> usize {
    let arguments: Vec<String> = std::env::args().collect();
    arguments
        .iter()
        .position(|argument| *argument == format!("--{name}"))
        .and_then(|at| arguments.get(at + 1))
        .map(|value| {
            value
                .parse::<usize>()
                .unwrap_or_else(|_| panic!("--{name} takes a number, not `{value}`"))
        })
        .unwrap_or(default)
        .max(1)
}

/// The value after `--<name>` on the command line, if any.
#[allow(dead_code)]
pub(crate) fn string_option(name: &str) -> Option<String> {
    let arguments: Vec<String> = std::env::args().collect();
    arguments
        .iter()
        .position(|argument| *argument == format!("--{name}"))
        .and_then(|at| arguments.get(at + 1))
        .cloned()
}
