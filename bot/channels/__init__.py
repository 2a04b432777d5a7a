"""Channel adapters: the only code that knows a wire format or imports a channel library."""
