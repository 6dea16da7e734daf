package dev.rosetta.error;

/**
 * What went wrong, independent of dialect. Each kind carries its HTTP status and its name in each
 * client dialect, so a mapping lives in one table instead of in every codec.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT"),
    AUTHENTICATION(401, "authentication_error", "authentication_error", "UNAUTHENTICATED"),
    /**
     * The client's own key is missing or not accepted by this gateway. Each dialect sees it as its
     * provider reports a bad key: OpenAI 401 {@code invalid_request_error} (code {@code invalid_api_key}),
     * Anthropic 401 {@code authentication_error}, Gemini 400 {@code INVALID_ARGUMENT} with reason
     * {@code API_KEY_INVALID}, which is what Google answers for a bad key.
     */
    UNAUTHENTICATED(401, "invalid_request_error", "authentication_error", "INVALID_ARGUMENT", 400),
    PERMISSION(403, "permission_error", "permission_error", "PERMISSION_DENIED"),
    NOT_FOUND(404, "not_found_error", "not_found_error", "NOT_FOUND"),
    /** The client did not send its request in time. */
    REQUEST_TIMEOUT(408, "invalid_request_error", "invalid_request_error", "DEADLINE_EXCEEDED"),
    PAYLOAD_TOO_LARGE(413, "invalid_request_error", "request_too_large", "INVALID_ARGUMENT"),
    RATE_LIMITED(429, "rate_limit_error", "rate_limit_error", "RESOURCE_EXHAUSTED"),
    /**
     * A key's or tenant's budget is spent. Each dialect sees what its provider answers when the
     * money runs out, in a form its official SDK does not retry (the refusal also carries
     * {@code x-should-retry: false}, which the Stainless SDKs obey): OpenAI 429 {@code insufficient_quota};
     * Anthropic 402 {@code billing_error}; Gemini 400 {@code FAILED_PRECONDITION} (google-genai retries
     * every 429 whatever the headers say, so {@code RESOURCE_EXHAUSTED} would be retried in a loop).
     */
    BUDGET_EXHAUSTED(429, "insufficient_quota", "billing_error", "FAILED_PRECONDITION", 400, 402),
    INTERNAL(500, "server_error", "api_error", "INTERNAL"),
    BAD_GATEWAY(502, "server_error", "api_error", "UNAVAILABLE"),
    UNAVAILABLE(503, "server_error", "api_error", "UNAVAILABLE"),
    TIMEOUT(504, "timeout_error", "timeout_error", "DEADLINE_EXCEEDED"),
    OVERLOADED(529, "server_error", "overloaded_error", "UNAVAILABLE");

    private final int status;
    private final String openAiType;
    private final String anthropicType;
    private final String geminiStatus;
    private final int geminiHttpStatus;
    private final int anthropicHttpStatus;

    ErrorKind(int status, String openAiType, String anthropicType, String geminiStatus) {
        this(status, openAiType, anthropicType, geminiStatus, status);
    }

    ErrorKind(int status, String openAiType, String anthropicType, String geminiStatus, int geminiHttpStatus) {
        this(status, openAiType, anthropicType, geminiStatus, geminiHttpStatus, status);
    }

    ErrorKind(int status, String openAiType, String anthropicType, String geminiStatus, int geminiHttpStatus,
              int anthropicHttpStatus) {
        this.anthropicHttpStatus = anthropicHttpStatus;
        this.status = status;
        this.openAiType = openAiType;
        this.anthropicType = anthropicType;
        this.geminiStatus = geminiStatus;
        this.geminiHttpStatus = geminiHttpStatus;
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

    /** The HTTP status a Gemini client gets (and sees as {@code error.code}), where Google's differs. */
    public int geminiHttpStatus() {
        return geminiHttpStatus;
    }

    /** The HTTP status an Anthropic client gets, where Anthropic's differs. */
    public int anthropicHttpStatus() {
        return anthropicHttpStatus;
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
