//! Collects every error of one macro invocation, so all are reported at once.

use proc_macro2::TokenStream;

/// The errors of one macro invocation. Like serde_derive's `Ctxt`, it must
/// be ended with [`finish`](Self::finish): in debug builds, dropping it
/// otherwise panics, so a code path that would lose its diagnostics fails
/// the macro's own tests instead of compiling a contract silently.
#[derive(Default)]
pub(crate) struct Diagnostics {
    errors: Option<syn::Error>,
    finished: bool,
}

impl Drop for Diagnostics {
    fn drop(&mut self) {
        if cfg!(debug_assertions) && !self.finished && !std::thread::panicking() {
            panic!("macro diagnostics were dropped without being reported");
        }
    }
}

impl Diagnostics {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.errors {
            Some(existing) => existing.combine(error),
            None => self.errors = Some(error),
        }
    }

    pub(crate) fn error(&mut self, span: proc_macro2::Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn error_spanned(
        &mut self,
        tokens: impl quote::ToTokens,
        message: impl std::fmt::Display,
    ) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// `Ok(value)` when nothing was reported, otherwise every error as one.
    pub(crate) fn finish<T>(mut self, value: T) -> Result<T, syn::Error> {
        self.finished = true;
        match self.errors.take() {
            Some(errors) => Err(errors),
            None => Ok(value),
        }
    }
}

/// Emits the compile errors, followed by the original item so that the
/// errors above do not cascade into "cannot find type" errors elsewhere.
pub(crate) fn with_item(error: &syn::Error, item: TokenStream) -> TokenStream {
    let mut out = error.to_compile_error();
    out.extend(item);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_reports_every_error_together() {
        let mut diagnostics = Diagnostics::default();
        diagnostics.error(proc_macro2::Span::call_site(), "first");
        diagnostics.error(proc_macro2::Span::call_site(), "second");
        let error = diagnostics.finish(()).expect_err("two errors");
        let messages: Vec<String> = error.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["first", "second"]);
        assert!(Diagnostics::default().finish(7).is_ok_and(|v| v == 7));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "dropped without being reported")]
    fn unreported_diagnostics_panic_in_debug_builds() {
        let mut diagnostics = Diagnostics::default();
        diagnostics.error(proc_macro2::Span::call_site(), "lost");
        drop(diagnostics);
    }
}
