/// Where a contract is declared, for diagnostics such as duplicate channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLocation {
    pub file: &'static str,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What a `#[contract(..)]` attribute declared, before default names are
/// derived (see [`crate::naming`]).
#[derive(Debug, Clone, Copy)]
pub struct ContractDeclaration {
    pub type_name: &'static str,
    pub module_path: &'static str,
    pub channel: Option<&'static str>,
    pub method: Option<&'static str>,
    pub namespace: Option<&'static str>,
    pub docs: &'static str,
    pub location: SourceLocation,
}

/// One code of a contract error enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCodeInfo {
    pub code: &'static str,
    pub status_code: Option<u16>,
    pub docs: &'static str,
}
