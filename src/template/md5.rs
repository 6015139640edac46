//! MD5 for the bytes-placeholder keys `bytes_<md5 hex>_<ns>` (§2.5), through the `md-5` crate.
//! Not used for security.

use md5::{Digest, Md5};

/// Lower-case hex digest.
pub(crate) fn md5_hex(data: &[u8]) -> String {
    use std::fmt::Write;
    let digest = Md5::digest(data);
    let mut hex = String::with_capacity(32);
    for b in digest.iter() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::md5_hex;

    #[test]
    fn rfc_1321_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            md5_hex(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
        assert_eq!(md5_hex(&[0, 1]), "441077cc9e57554dd476bdfb8b8b8102");
    }
}
