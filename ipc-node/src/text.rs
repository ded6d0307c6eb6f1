//! JSON text across N-API in as few passes over it as N-API allows.
//!
//! napi-rs reads a `String` in two passes (one to measure its UTF-8
//! length, one to write it) and makes one by decoding its UTF-8. A
//! request of 48 KB took 40 µs more as a string than as bytes. The only
//! `unsafe` code of the workspace: two N-API calls to read, two to write
//! a string and two to make a `Uint8Array`
//! (docs/adr/0016-electron-text-in-one-pass.md,
//! docs/adr/0017-large-electron-messages-as-bytes.md).
#![allow(unsafe_code)]

use std::ptr;

use ipc_meta::protocol::electron::BYTES_FROM;

use napi::bindgen_prelude::{JsValue, ToNapiValue};
use napi::{Env, JsString, Status, sys};

/// A request's JSON text, read from a JavaScript string in one pass
/// when it is mostly ASCII, as JSON text usually is.
pub(crate) fn read_request_text(env: &Env, text: &JsString<'_>) -> napi::Result<String> {
    let (env, value) = (env.raw(), text.raw());
    // Its length in UTF-16 code units is the string's own length, read
    // without a pass.
    let mut units = 0;
    // SAFETY: live handles of the current call; a null buffer asks for
    // the length only.
    let status =
        unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut units) };
    check(status, "the request is not a string")?;
    // Room for ASCII and a little more. Reserving for the worst case
    // (three bytes a unit) made a request's buffer three times its size.
    let capacity = units
        .saturating_add(units / 8)
        .saturating_add(MAX_CHARACTER + 1);
    let text = write_utf8(env, value, capacity)?;
    if text.len() + MAX_CHARACTER < capacity - 1 {
        return Ok(text);
    }
    // Perhaps cut short: written again with room for the worst case
    // (each unit is at most three bytes of UTF-8; a surrogate pair, two
    // units, is four).
    write_utf8(env, value, units.saturating_mul(3).saturating_add(1))
}

/// The longest character in UTF-8, in bytes.
const MAX_CHARACTER: usize = 4;

/// The string `value` as UTF-8, written into `capacity` bytes: the whole
/// of it whenever more than [`MAX_CHARACTER`] of them are left unwritten
/// (before the NUL N-API adds), as N-API writes whole characters only
/// and stops at the first that does not fit.
fn write_utf8(env: sys::napi_env, value: sys::napi_value, capacity: usize) -> napi::Result<String> {
    // Reserved, not written: only what the text needs is touched.
    let mut buffer: Vec<u8> = Vec::with_capacity(capacity);
    let mut written = 0;
    // SAFETY: the buffer has room for `capacity` bytes, which N-API writes
    // at most: whole characters of UTF-8 (U+FFFD for a lone surrogate, as
    // napi-rs's `String` reads it), then a NUL it does not count.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            buffer.as_mut_ptr().cast(),
            capacity,
            &mut written,
        )
    };
    check(status, "the request is not a string")?;
    // SAFETY: N-API wrote `written` bytes of UTF-8 (and the NUL after
    // them), within the capacity.
    unsafe {
        buffer.set_len(written);
        Ok(String::from_utf8_unchecked(buffer))
    }
}

/// A reply's or an event's JSON text, made into a JavaScript value. Below
/// [`BYTES_FROM`] bytes a string: copied as Latin-1 when it is ASCII
/// (which is Latin-1 byte for byte), decoded as UTF-8 otherwise. From it
/// on a `Uint8Array` of the UTF-8, whose memory is outside V8's heap: a
/// large string would be young-generation garbage that calls in flight
/// keep alive until it is promoted and swept
/// (docs/adr/0017-large-electron-messages-as-bytes.md).
#[derive(Debug)]
pub struct JsonMessage(pub(crate) String);

impl ToNapiValue for JsonMessage {
    /// # Safety
    /// `env` must be the live environment of the current call.
    unsafe fn to_napi_value(env: sys::napi_env, text: Self) -> napi::Result<sys::napi_value> {
        let text = text.0;
        if text.len() >= BYTES_FROM {
            // SAFETY: the caller's guarantee, passed on.
            return unsafe { utf8_bytes(env, text.as_bytes()) };
        }
        let mut value = ptr::null_mut();
        let length = isize::try_from(text.len())
            .map_err(|_| napi::Error::new(Status::InvalidArg, "the reply is too long"))?;
        let bytes = text.as_ptr().cast();
        // SAFETY: `bytes` points at `length` bytes of the reply.
        let status = unsafe {
            if text.is_ascii() {
                sys::napi_create_string_latin1(env, bytes, length, &mut value)
            } else {
                sys::napi_create_string_utf8(env, bytes, length, &mut value)
            }
        };
        check(status, "cannot make the reply a string")?;
        Ok(value)
    }
}

/// A `Uint8Array` holding a copy of `bytes`. Copied, not external: Electron
/// runs V8 with its memory sandbox, where buffers cannot point outside it.
///
/// # Safety
/// `env` must be the live environment of the current call.
unsafe fn utf8_bytes(env: sys::napi_env, bytes: &[u8]) -> napi::Result<sys::napi_value> {
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    // SAFETY: a live environment; N-API allocates `bytes.len()` bytes and
    // points `data` at them.
    let status = unsafe { sys::napi_create_arraybuffer(env, bytes.len(), &mut data, &mut buffer) };
    check(status, "cannot make the reply's buffer")?;
    // SAFETY: `data` is the new buffer's memory, `bytes.len()` long and not
    // shared with anything yet.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), data.cast::<u8>(), bytes.len()) };
    let mut array = ptr::null_mut();
    // SAFETY: a view of the whole buffer just made.
    let status = unsafe {
        sys::napi_create_typedarray(
            env,
            sys::TypedarrayType::uint8_array,
            bytes.len(),
            buffer,
            0,
            &mut array,
        )
    };
    check(status, "cannot make the reply's buffer")?;
    Ok(array)
}

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::from(status), what.to_owned()))
    }
}
