package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayException;
import dev.rosetta.model.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bad input fails with INVALID_REQUEST naming the JSON path, and never with another exception type. */
class CodecErrorsTest {

    private static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    private static GatewayException failure(Runnable r) {
        Throwable t = catchThrowable(r::run);
        assertThat(t).isInstanceOf(GatewayException.class);
        return (GatewayException) t;
    }

    private static void assertInvalidAt(Runnable r, String path) {
        GatewayException e = failure(r);
        assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.error().param()).isEqualTo(Optional.of(path));
        assertThat(e.getMessage()).endsWith("at " + path);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void malformedJsonFailsAtTheRoot(Dialect d) {
        assertInvalidAt(() -> Codec.of(d).decodeRequest(json("{'messages': [")), "$");
        assertInvalidAt(() -> Codec.of(d).decodeRequest(json("[1]")), "$");
        assertInvalidAt(() -> Codec.of(d).decodeRequest(new byte[0]), "$");
        assertInvalidAt(() -> Codec.of(d).decodeResponse(json("{} x"), new ResponseContext(0, "r", 0)), "$");
    }

    /**
     * Claude Code decides its fallback (resend without mid-conversation system messages) by matching Anthropic's
     * wording: a 400 that says a role "system" message is not supported. Unknown roles are worded as Anthropic does.
     */
    @Test
    void anthropicRoleRefusalsAreWordedAsAnthropicWordsThem() {
        Codec anthropic = Codec.of(Dialect.ANTHROPIC);
        GatewayException image = failure(() -> anthropic.decodeRequest(json("{'model':'c','max_tokens':5,'messages':["
                + "{'role':'user','content':'a'},{'role':'system','content':[{'type':'text','text':'t'},"
                + "{'type':'image','source':{'type':'url','url':'https://x/y.png'}}]}]}")));
        assertThat(image.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(image.error().message())
                .isEqualTo("messages.1.content.1: role \"system\" messages are not supported with non-text content");
        assertThat(image.error().param()).contains("$.messages[1].content[1]");
        GatewayException tool = failure(() -> anthropic.decodeRequest(json("{'model':'c','max_tokens':5,'messages':["
                + "{'role':'tool','content':'a'}]}")));
        assertThat(tool.error().message())
                .isEqualTo("messages.0: Unexpected role \"tool\". Allowed roles are \"user\", \"assistant\" or \"system\"");
    }

    /** What the target cannot express is named where the client wrote it, not by its place in the neutral model. */
    @Test
    void refusalsNameThePathInTheClientRequest() {
        Codec chat = Codec.of(Dialect.OPENAI_CHAT);
        Codec gemini = Codec.of(Dialect.GEMINI);
        Codec anthropic = Codec.of(Dialect.ANTHROPIC);
        Codec responses = Codec.of(Dialect.OPENAI_RESPONSES);
        ChatRequest fileId = chat.decodeRequest(json("{'model':'m','messages':[{'role':'system','content':'s'},"
                + "{'role':'user','content':'a'},{'role':'assistant','content':'b'},{'role':'user','content':["
                + "{'type':'text','text':'t'},{'type':'file','file':{'file_id':'file-abc'}}]}]}"));
        assertInvalidAt(() -> gemini.encodeRequest(fileId, "g"), "$.messages[3].content[1]");
        ChatRequest n = chat.decodeRequest(json("{'model':'m','n':2,'messages':[{'role':'user','content':'a'}]}"));
        assertInvalidAt(() -> anthropic.encodeRequest(n, "c"), "$.n");
        ChatRequest candidates = gemini.decodeRequest(json("{'contents':[{'parts':[{'text':'a'}]}],"
                + "'generationConfig':{'candidateCount':2}}"));
        assertInvalidAt(() -> anthropic.encodeRequest(candidates, "c"), "$.generationConfig.candidateCount");
        assertInvalidAt(() -> responses.encodeRequest(candidates, "r"), "$.generationConfig.candidateCount");
        ChatRequest audio = chat.decodeRequest(json("{'model':'m','messages':[{'role':'user','content':["
                + "{'type':'input_audio','input_audio':{'data':'AAAA','format':'wav'}}]}]}"));
        assertInvalidAt(() -> anthropic.encodeRequest(audio, "c"), "$.messages[0].content[0]");
        assertInvalidAt(() -> responses.encodeRequest(audio, "r"), "$.messages[0].content[0]");
        ChatRequest image = anthropic.decodeRequest(json("{'model':'m','max_tokens':5,'messages':[{'role':'user',"
                + "'content':[{'type':'image','source':{'type':'file','file_id':'file_1'}}]}]}"));
        assertInvalidAt(() -> gemini.encodeRequest(image, "g"), "$.messages[0].content[0]");
        assertThat(image).as("where a request was read is not part of its value")
                .isEqualTo(image.withSources(dev.rosetta.model.SourcePaths.none()));
    }

    @Test
    void chatWrongTypeNamesThePath() {
        Codec c = Codec.of(Dialect.OPENAI_CHAT);
        assertInvalidAt(() -> c.decodeRequest(json("{'model':'m','messages':[{'role':'user','content':'a'},"
                + "{'role':'assistant','content':'b'},{'role':'user','content':5}]}")), "$.messages[2].content");
        assertInvalidAt(() -> c.decodeRequest(json("{'model':'m'}")), "$.messages");
        assertInvalidAt(() -> c.decodeRequest(json("{'messages':[{'role':'wizard','content':'a'}]}")),
                "$.messages[0].role");
        assertInvalidAt(() -> c.decodeRequest(json("{'messages':[{'role':'tool','content':'a'}]}")),
                "$.messages[0].tool_call_id");
        assertInvalidAt(() -> c.decodeRequest(json("{'messages':[],'max_tokens':'many'}")), "$.max_tokens");
        assertInvalidAt(() -> c.decodeRequest(json("{'messages':[{'role':'user','content':[{'type':'image_url',"
                + "'image_url':{'url':'data:image/png,abc'}}]}]}")), "$.messages[0].content[0].image_url.url");
    }

    @Test
    void anthropicWrongTypeNamesThePath() {
        Codec c = Codec.of(Dialect.ANTHROPIC);
        assertInvalidAt(() -> c.decodeRequest(json("{'max_tokens':5,'messages':[{'role':'user','content':"
                + "[{'type':'tool_result'}]}]}")), "$.messages[0].content[0].tool_use_id");
        assertInvalidAt(() -> c.decodeRequest(json("{'messages':[],'thinking':{'type':'enabled'}}")),
                "$.thinking.budget_tokens");
        assertInvalidAt(() -> c.decodeRequest(json("{'messages':[{'role':'user','content':[{'type':'tool_use',"
                + "'id':'a','name':'f','input':[1]}]}]}")), "$.messages[0].content[0].input");
    }

    @Test
    void geminiWrongTypeNamesThePath() {
        Codec c = Codec.of(Dialect.GEMINI);
        assertInvalidAt(() -> c.decodeRequest(json("{'contents':[{'parts':[{'text':1}]}]}")),
                "$.contents[0].parts[0].text");
        assertInvalidAt(() -> c.decodeRequest(json("{'contents':[],'generationConfig':{'temperature':'hot'}}")),
                "$.generationConfig.temperature");
        assertInvalidAt(() -> c.decodeRequest(json("{'contents':[],'toolConfig':{'functionCallingConfig':"
                + "{'mode':'SOMETIMES'}}}")), "$.toolConfig.functionCallingConfig.mode");
    }

    @Test
    void responsesWrongTypeNamesThePath() {
        Codec c = Codec.of(Dialect.OPENAI_RESPONSES);
        assertInvalidAt(() -> c.decodeRequest(json("{'input':[{'type':'function_call_output','output':'x'}]}")),
                "$.input[0].call_id");
        assertInvalidAt(() -> c.decodeRequest(json("{'input':'hi','reasoning':{'effort':'extreme'}}")),
                "$.reasoning.effort");
    }

    @Test
    void responseDecodingNamesThePath() {
        ResponseContext ctx = new ResponseContext(0, "r", 0);
        assertInvalidAt(() -> Codec.of(Dialect.OPENAI_CHAT).decodeResponse(json("{'choices':[{'message':"
                + "{'tool_calls':[{'id':'a'}]}}]}"), ctx), "$.choices[0].message.tool_calls[0].function");
        assertInvalidAt(() -> Codec.of(Dialect.ANTHROPIC).decodeResponse(json("{'content':[{'type':'text'}]}"), ctx),
                "$.content[0].text");
        assertInvalidAt(() -> Codec.of(Dialect.GEMINI).decodeResponse(json("{'candidates':[{'content':{'parts':"
                + "[{'functionCall':{'args':{}}}]}}]}"), ctx), "$.candidates[0].content.parts[0].functionCall.name");
    }

    @Test
    void whatTheTargetCannotExpressIsRejectedNamingTheField() {
        ChatRequest audio = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(json("{'model':'m','messages':[{'role':'user',"
                + "'content':[{'type':'input_audio','input_audio':{'data':'AAA','format':'wav'}}]}]}"));
        GatewayException e = failure(() -> Codec.of(Dialect.ANTHROPIC).encodeRequest(audio, "claude"));
        assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("audio").contains("$.messages[0].content[0]");

        ChatRequest n2 = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(json("{'messages':[],'n':2}"));
        assertInvalidAt(() -> Codec.of(Dialect.ANTHROPIC).encodeRequest(n2, "claude"), "$.n");

        ChatRequest stateful = Codec.of(Dialect.OPENAI_RESPONSES).decodeRequest(json("{'input':'hi',"
                + "'previous_response_id':'resp_1'}"));
        assertInvalidAt(() -> Codec.of(Dialect.GEMINI).encodeRequest(stateful, "g"), "$.previous_response_id");
        assertInvalidAt(() -> Codec.of(Dialect.ANTHROPIC).encodeRequest(stateful, "c"), "$.previous_response_id");

        ChatRequest orphan = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(json("{'messages':[{'role':'tool',"
                + "'tool_call_id':'nope','content':'x'}]}"));
        assertThat(failure(() -> Codec.of(Dialect.GEMINI).encodeRequest(orphan, "g")).getMessage())
                .contains("nope");
    }

    @Test
    void harmlessExtrasAreDroppedAndReported() {
        DropLog dropped = new DropLog();
        ChatRequest req = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(json("{'model':'m','messages':[{'role':'user',"
                + "'content':'hi','name':'bob'}],'seed':7,'frequency_penalty':0.5,'mystery':1}"), dropped);
        Codec.of(Dialect.ANTHROPIC).encodeRequest(req, "claude", dropped);
        assertThat(dropped.paths()).containsExactly("$.mystery", "$.messages[0].name", "seed", "frequency_penalty");
    }

    @Test
    void geminiTopKWrittenAsAFloatByTheGenAiSdkIsAWholeNumber() {
        String body = "{'contents': [{'role': 'user', 'parts': [{'text': 'hi'}]}], 'generationConfig': {'topK': %s}}";
        assertThat(Codec.of(Dialect.GEMINI).decodeRequest(json(body.formatted("5.0"))).generation().topK()).contains(5);
        assertThat(Codec.of(Dialect.GEMINI).decodeRequest(json(body.formatted("5"))).generation().topK()).contains(5);
        assertInvalidAt(() -> Codec.of(Dialect.GEMINI).decodeRequest(json(body.formatted("5.5"))),
                "$.generationConfig.topK");
    }
}
