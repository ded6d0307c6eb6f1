//! The framework error table: the failures the runtime itself reports, with
//! their wire codes and status codes. The TypeScript runtime's
//! `FRAMEWORK_ERROR_CODES` and `FRAMEWORK_ERROR_STATUS` are written from it.

/// The failures the framework itself reports, as `IPCHandlerError`s. The
/// TypeScript side depends on exactly these codes and status codes; a
/// contract error can never use them (`#[contract_error]` rejects `IPC_*`
/// and `INTERNAL_ERROR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameworkCode {
    /// No contract with a handler on the request's channel.
    UnknownChannel,
    /// The envelope is not a valid version 1 request.
    MalformedRequest,
    /// The envelope's `v` is not [`PROTOCOL_VERSION`](crate::protocol::PROTOCOL_VERSION).
    UnsupportedVersion,
    /// The request is larger than the router's size limit.
    PayloadTooLarge,
    /// The request nests deeper than the router's depth limit.
    PayloadTooDeep,
    /// The caller may not use the channel.
    Forbidden,
    /// The handler ran longer than its timeout.
    Timeout,
    /// The call was cancelled before the handler finished.
    Cancelled,
    /// The handler panicked or main failed in a way the renderer must not
    /// learn details of.
    Internal,
}

impl FrameworkCode {
    /// Every framework code.
    pub const ALL: [FrameworkCode; 9] = [
        FrameworkCode::UnknownChannel,
        FrameworkCode::MalformedRequest,
        FrameworkCode::UnsupportedVersion,
        FrameworkCode::PayloadTooLarge,
        FrameworkCode::PayloadTooDeep,
        FrameworkCode::Forbidden,
        FrameworkCode::Timeout,
        FrameworkCode::Cancelled,
        FrameworkCode::Internal,
    ];

    /// The `code` on the wire.
    pub fn code(self) -> &'static str {
        match self {
            FrameworkCode::UnknownChannel => "IPC_UNKNOWN_CHANNEL",
            FrameworkCode::MalformedRequest => "IPC_MALFORMED_REQUEST",
            FrameworkCode::UnsupportedVersion => "IPC_UNSUPPORTED_VERSION",
            FrameworkCode::PayloadTooLarge => "IPC_PAYLOAD_TOO_LARGE",
            FrameworkCode::PayloadTooDeep => "IPC_PAYLOAD_TOO_DEEP",
            FrameworkCode::Forbidden => "IPC_FORBIDDEN",
            FrameworkCode::Timeout => "IPC_TIMEOUT",
            FrameworkCode::Cancelled => "IPC_CANCELLED",
            FrameworkCode::Internal => "INTERNAL_ERROR",
        }
    }

    /// The `statusCode` on the wire.
    pub fn status_code(self) -> u16 {
        match self {
            FrameworkCode::UnknownChannel => 404,
            FrameworkCode::MalformedRequest
            | FrameworkCode::UnsupportedVersion
            | FrameworkCode::PayloadTooDeep => 400,
            FrameworkCode::PayloadTooLarge => 413,
            FrameworkCode::Forbidden => 403,
            FrameworkCode::Timeout => 504,
            FrameworkCode::Cancelled => 499,
            FrameworkCode::Internal => 500,
        }
    }

    /// The code whose wire `code` is `code`.
    pub fn from_code(code: &str) -> Option<FrameworkCode> {
        FrameworkCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_found_by_its_wire_code() {
        for code in FrameworkCode::ALL {
            assert_eq!(FrameworkCode::from_code(code.code()), Some(code));
            assert_eq!(
                FrameworkCode::ALL
                    .iter()
                    .filter(|c| c.code() == code.code())
                    .count(),
                1
            );
        }
        assert_eq!(FrameworkCode::from_code("IPC_HANDLER_ERROR"), None);
    }

    #[test]
    fn every_code_is_reserved_for_the_framework() {
        for code in FrameworkCode::ALL {
            assert!(
                crate::naming::check_error_code(code.code()).is_err(),
                "{code:?}"
            );
        }
        let validation = crate::protocol::VALIDATION_ERROR_CODE;
        assert!(crate::naming::check_error_code(validation).is_err());
    }
}
