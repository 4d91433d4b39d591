//! What crosses between the page and its workers besides messages: the shared
//! VFS's words and the files' bytes in SharedArrayBuffers. The page creates the
//! buffers (and, when a worker dies, releases its locks through them); every
//! worker wraps the same buffers.

pub mod sab_storage;
pub mod sab_words;
mod typed_copy;
