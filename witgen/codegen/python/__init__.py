"""The Python layer the host, guest and native generators share: names, type views, Protocols."""
