package dev.rosetta.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 checked the way AWS checks it, written from AWS's documentation (not the SDK's
 * code), for fakes of AWS services: the canonical request (path segments URI-encoded once more, as for
 * every service but S3; sorted query; signed headers lowercased and trimmed; the payload's SHA-256), the
 * string to sign, the derived key and the HMAC. {@code SigV4VerifierTest} checks it against the
 * documentation's test vectors.
 */
public final class SigV4Verifier {

    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})");

    private SigV4Verifier() {
    }

    /**
     * The expected signature of a request, or an AssertionError naming what is wrong.
     *
     * @param rawPath the path as sent (percent-encoded once)
     * @param headers the request's headers (any case)
     */
    public static void verify(String method, String rawPath, String query, Map<String, String> headers, byte[] body,
                              String accessKeyId, String secret, String region, String service) {
        Map<String, String> h = new TreeMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
        String auth = h.get("authorization");
        if (auth == null) {
            throw new AssertionError("no authorization header");
        }
        Matcher m = AUTH.matcher(auth);
        if (!m.matches()) {
            throw new AssertionError("not a SigV4 authorization header: " + auth.replaceAll("Signature=.*", "Signature=…"));
        }
        if (!m.group(1).equals(accessKeyId) || !m.group(3).equals(region) || !m.group(4).equals(service)) {
            throw new AssertionError("credential scope " + m.group(1) + "/" + m.group(3) + "/" + m.group(4));
        }
        String amzDate = h.get("x-amz-date");
        if (amzDate == null || !amzDate.startsWith(m.group(2))) {
            throw new AssertionError("x-amz-date " + amzDate + " does not match the scope's date");
        }
        List<String> signed = List.of(m.group(5).split(";"));
        if (!signed.contains("host")) {
            throw new AssertionError("host not signed");
        }
        String expected = signature(method, rawPath, query, h, signed, body, secret, m.group(2), region, service, amzDate);
        if (!expected.equals(m.group(6))) {
            throw new AssertionError("SigV4 signature mismatch");
        }
    }

    /** The signature AWS computes for the request. */
    public static String signature(String method, String rawPath, String query, Map<String, String> lowerHeaders,
                                   List<String> signedHeaders, byte[] body, String secret, String date, String region,
                                   String service, String amzDate) {
        StringBuilder canonical = new StringBuilder();
        canonical.append(method).append('\n').append(canonicalPath(rawPath)).append('\n')
                .append(canonicalQuery(query)).append('\n');
        for (String name : signedHeaders) {
            String v = lowerHeaders.get(name);
            canonical.append(name).append(':').append(v == null ? "" : v.trim().replaceAll(" +", " ")).append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n');
        String payloadHash = lowerHeaders.getOrDefault("x-amz-content-sha256", hex(sha256(body)));
        canonical.append(payloadHash);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        return hex(hmac(key, toSign));
    }

    /** Each segment of the (already encoded) path encoded once more. */
    static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        List<String> out = new ArrayList<>();
        for (String segment : rawPath.split("/", -1)) {
            out.add(encode(segment));
        }
        return String.join("/", out);
    }

    static String canonicalQuery(String query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            sorted.put(encode(decode(k)), encode(decode(v)));
        }
        StringBuilder sb = new StringBuilder();
        sorted.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "&").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** RFC 3986: unreserved characters kept, every other byte %XX (upper-case hex). */
    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
