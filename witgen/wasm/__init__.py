"""WebAssembly binaries: the component format read, decoded into the model, encoded, and as text."""
