//! The linker settings a Node.js addon needs on each platform (on macOS,
//! Node's symbols are looked up at load time).

fn main() {
    napi_build::setup();
}
