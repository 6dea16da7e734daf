package dev.rosetta.error;

/**
 * The one exception type gateway code throws for an expected failure (bad input, unsupported
 * conversion). Anything else escaping a handler is a bug and is answered with a 500.
 */
public final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient GatewayError error;

    public GatewayException(GatewayError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public GatewayError error() {
        return error;
    }
}
