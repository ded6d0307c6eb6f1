//! `Deserializer` methods forwarded through a wrapper of the visitor.

/// Forwards `Deserializer` methods to `self.de`, wrapping the visitor in
/// `$wrapper` (which also takes `self.$field`). Methods with
/// extra arguments list them: `deserialize_tuple(len: usize)`.
macro_rules! forward_wrapped {
    ($wrapper:ident { $field:ident }; $($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            #[inline(always)]
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
                self.de.$method($($arg,)* $wrapper { visitor, $field: self.$field })
            }
        )*
    };
}

/// Forwards, through [`forward_wrapped`], every `Deserializer` method but
/// `deserialize_enum` and `deserialize_ignored_any`, which [`Guided`]
/// handles itself.
macro_rules! forward_value_methods {
    ($wrapper:ident { $field:ident }) => {
        forward_wrapped!(
            $wrapper { $field };
            deserialize_any(),
            deserialize_bool(),
            deserialize_i8(),
            deserialize_i16(),
            deserialize_i32(),
            deserialize_i64(),
            deserialize_i128(),
            deserialize_u8(),
            deserialize_u16(),
            deserialize_u32(),
            deserialize_u64(),
            deserialize_u128(),
            deserialize_f32(),
            deserialize_f64(),
            deserialize_char(),
            deserialize_str(),
            deserialize_string(),
            deserialize_bytes(),
            deserialize_byte_buf(),
            deserialize_option(),
            deserialize_unit(),
            deserialize_seq(),
            deserialize_map(),
            deserialize_identifier(),
            deserialize_unit_struct(name: &'static str),
            deserialize_newtype_struct(name: &'static str),
            deserialize_tuple(len: usize),
            deserialize_tuple_struct(name: &'static str, len: usize),
            deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        );
    };
}

/// Forwards every `Deserializer` method, for a wrapper that watches what
/// is read and checks nothing of its own.
macro_rules! forward_every_method {
    ($wrapper:ident { $field:ident }) => {
        forward_value_methods!($wrapper { $field });
        forward_wrapped!(
            $wrapper { $field };
            deserialize_ignored_any(),
            deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        );

        fn is_human_readable(&self) -> bool {
            self.de.is_human_readable()
        }
    };
}
