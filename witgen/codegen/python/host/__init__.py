"""Host bindings: a typed package over wasmtime-py's `wasmtime.component` API."""
