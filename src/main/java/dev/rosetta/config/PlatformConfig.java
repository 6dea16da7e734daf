package dev.rosetta.config;

import java.time.Duration;
import java.util.Optional;

/**
 * What a platform provider type (azure_openai, vertex, bedrock) or an OpenAI-compatible preset needs
 * beyond a base URL and a key: its addressing and its credentials. Empty for the first-party types.
 *
 * @param apiVersion azure_openai: the {@code api-version} of the deployment URLs; empty for {@code /openai/v1/}
 * @param tokenCommand azure_openai: a command whose output is a Microsoft Entra ID access token (or
 *                     {@code az account get-access-token}'s JSON)
 * @param tokenFile azure_openai: a file holding an Entra ID access token, re-read as it is refreshed
 * @param tokenRefresh how often a command's or file's token is fetched again when it says no expiry
 * @param location vertex: the region ({@code us-east5}) or {@code global}
 * @param credentials vertex: a service-account JSON file; empty for Application Default Credentials
 * @param region bedrock: the AWS region
 * @param accessKeyId bedrock: the AWS access key id (else the environment, else the profile)
 * @param secretAccessKey bedrock: its secret
 * @param sessionToken bedrock: a session token for temporary credentials
 * @param profile bedrock: the profile in the shared AWS credentials file
 * @param compat openai: the OpenAI-compatible server whose quirks to honour
 */
public record PlatformConfig(Optional<String> apiVersion, Optional<String> tokenCommand, Optional<String> tokenFile,
                             Duration tokenRefresh, Optional<String> location, Optional<String> credentials,
                             Optional<String> region, Optional<Secret> accessKeyId, Optional<Secret> secretAccessKey,
                             Optional<Secret> sessionToken, Optional<String> profile, Optional<Compat> compat) {

    public static final PlatformConfig NONE = new PlatformConfig(Optional.empty(), Optional.empty(), Optional.empty(),
            Duration.ofMinutes(5), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
}
