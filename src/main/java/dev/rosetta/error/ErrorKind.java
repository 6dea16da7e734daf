package dev.rosetta.error;

/**
 * What went wrong, independent of dialect. Each kind carries its HTTP status and its name in each
 * client dialect, so a mapping lives in one table instead of in every codec.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT"),
    AUTHENTICATION(401, "authentication_error", "authentication_error", "UNAUTHENTICATED"),
    PERMISSION(403, "permission_error", "permission_error", "PERMISSION_DENIED"),
    NOT_FOUND(404, "not_found_error", "not_found_error", "NOT_FOUND"),
    /** The client did not send its request in time. */
    REQUEST_TIMEOUT(408, "invalid_request_error", "invalid_request_error", "DEADLINE_EXCEEDED"),
    PAYLOAD_TOO_LARGE(413, "invalid_request_error", "request_too_large", "INVALID_ARGUMENT"),
    RATE_LIMITED(429, "rate_limit_error", "rate_limit_error", "RESOURCE_EXHAUSTED"),
    INTERNAL(500, "server_error", "api_error", "INTERNAL"),
    BAD_GATEWAY(502, "server_error", "api_error", "UNAVAILABLE"),
    UNAVAILABLE(503, "server_error", "api_error", "UNAVAILABLE"),
    TIMEOUT(504, "timeout_error", "timeout_error", "DEADLINE_EXCEEDED"),
    OVERLOADED(529, "server_error", "overloaded_error", "UNAVAILABLE");

    private final int status;
    private final String openAiType;
    private final String anthropicType;
    private final String geminiStatus;

    ErrorKind(int status, String openAiType, String anthropicType, String geminiStatus) {
        this.status = status;
        this.openAiType = openAiType;
        this.anthropicType = anthropicType;
        this.geminiStatus = geminiStatus;
    }

    public int status() {
        return status;
    }

    /** The {@code error.type} an OpenAI client sees. */
    public String openAiType() {
        return openAiType;
    }

    /** The {@code error.type} an Anthropic client sees. */
    public String anthropicType() {
        return anthropicType;
    }

    /** The {@code error.status} a Gemini client sees (google.rpc.Code name). */
    public String geminiStatus() {
        return geminiStatus;
    }

    /** The kind that best describes an upstream HTTP status, whatever the upstream dialect. */
    public static ErrorKind fromStatus(int status) {
        return switch (status) {
            case 400, 405, 409, 422 -> INVALID_REQUEST;
            case 401 -> AUTHENTICATION;
            case 402, 403 -> PERMISSION;
            case 404 -> NOT_FOUND;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 429 -> RATE_LIMITED;
            case 502 -> BAD_GATEWAY;
            case 503 -> UNAVAILABLE;
            case 504 -> TIMEOUT;
            case 529 -> OVERLOADED;
            default -> status >= 500 ? INTERNAL : INVALID_REQUEST;
        };
    }
}
