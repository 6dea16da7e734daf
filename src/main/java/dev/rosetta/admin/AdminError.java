package dev.rosetta.admin;

/**
 * A refusal of the admin API, rendered as {@code {"error":{"type","message"}}} with its status.
 * Thrown inside the API's handlers only; never reaches the client dialects' renderers.
 */
final class AdminError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;

    private AdminError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    static AdminError invalid(String message) {
        return new AdminError(400, "invalid_request", message);
    }

    static AdminError unauthorized(String message) {
        return new AdminError(401, "unauthorized", message);
    }

    static AdminError notFound(String message) {
        return new AdminError(404, "not_found", message);
    }

    static AdminError conflict(String message) {
        return new AdminError(409, "conflict", message);
    }

    static AdminError readOnly(String what) {
        return new AdminError(409, "read_only", what + " is declared in the configuration file; change it there");
    }

    static AdminError throttled(String message) {
        return new AdminError(429, "rate_limited", message);
    }

    static AdminError unavailable(String message) {
        return new AdminError(503, "unavailable", message);
    }
}
