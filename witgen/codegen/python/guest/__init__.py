"""Python guest bindings with componentize-py's API: `bindgen --lang python --guest`."""
