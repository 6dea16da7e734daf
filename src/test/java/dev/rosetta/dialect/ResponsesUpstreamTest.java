package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Responses codec's upstream side (request encoding, response decoding), not reached by the goldens. */
class ResponsesUpstreamTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void chatRequestBecomesResponsesInput() throws Exception {
        ChatRequest req = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(json("{'model':'m','messages':["
                + "{'role':'system','content':'Be brief.'},{'role':'user','content':'Weather?'},"
                + "{'role':'assistant','content':null,'tool_calls':[{'id':'call_1','type':'function',"
                + "'function':{'name':'w','arguments':'{}'}}]},{'role':'tool','tool_call_id':'call_1','content':'sun'}],"
                + "'tools':[{'type':'function','function':{'name':'w'}}],'reasoning_effort':'low','max_tokens':9}"));
        JsonNode out = MAPPER.readTree(Codec.of(Dialect.OPENAI_RESPONSES).encodeRequest(req, "gpt-5"));
        assertThat(out.get("instructions").asText()).isEqualTo("Be brief.");
        assertThat(out.get("input").get(0).get("content").get(0).get("type").asText()).isEqualTo("input_text");
        assertThat(out.get("input").get(1).get("type").asText()).isEqualTo("function_call");
        assertThat(out.get("input").get(2).get("call_id").asText()).isEqualTo("call_1");
        assertThat(out.get("tools").get(0).get("name").asText()).isEqualTo("w");
        assertThat(out.get("reasoning").get("effort").asText()).isEqualTo("low");
        assertThat(out.get("max_output_tokens").asInt()).isEqualTo(9);
        assertThat(out.get("store").asBoolean()).isFalse();
    }

    @Test
    void responsesOutputDecodes() {
        ChatResponse resp = Codec.of(Dialect.OPENAI_RESPONSES).decodeResponse(json("{'id':'resp_1','created_at':5,"
                + "'status':'completed','model':'gpt-5','output':[{'type':'reasoning','id':'rs_1','summary':"
                + "[{'type':'summary_text','text':'hm'}]},{'type':'function_call','id':'fc_1','call_id':'call_1',"
                + "'name':'w','arguments':'{}'}],'usage':{'input_tokens':50,'input_tokens_details':{'cached_tokens':10},"
                + "'output_tokens':20,'output_tokens_details':{'reasoning_tokens':5}}}"), new ResponseContext(0, "x", 0));
        assertThat(resp.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(resp.content()).hasSize(2).element(1).isEqualTo(ContentBlock.ToolCall.of("call_1", "w", "{}"));
        assertThat(resp.usage().anthropicInputTokens()).isEqualTo(40);
        assertThat(resp.created()).isEqualTo(5);
    }
}
