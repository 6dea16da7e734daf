package dev.rosetta.dialect.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.Json;
import org.junit.jupiter.api.Test;

class GeminiSchemasTest {

    private static Json json(String text) {
        return JsonTrees.parseJson(text.replace('\'', '"')).orElseThrow();
    }

    private static String sanitized(String schema) {
        return JsonTrees.writeString(GeminiSchemas.sanitize(json(schema)));
    }

    @Test
    void dropsUnsupportedKeywordsAndKeepsPropertiesNamedLikeKeywords() {
        assertThat(sanitized("{'$schema':'x','type':'object','additionalProperties':false,'properties':{"
                + "'properties':{'type':'string'},'type':{'type':'integer','minimum':1}},'required':['type','gone']}"))
                .isEqualTo(JsonTrees.writeString(json("{'type':'object','properties':{"
                        + "'properties':{'type':'string'},'type':{'type':'integer','minimum':1}},'required':['type']}")));
    }

    @Test
    void inlinesRefsAndGuardsRecursion() {
        assertThat(sanitized("{'type':'object','properties':{'a':{'$ref':'#/$defs/A'},'n':{'$ref':'#/$defs/Node'}},"
                + "'$defs':{'A':{'type':'string','description':'an a'},"
                + "'Node':{'type':'object','properties':{'next':{'$ref':'#/$defs/Node'}}}}}"))
                .isEqualTo(JsonTrees.writeString(json("{'type':'object','properties':{"
                        + "'a':{'type':'string','description':'an a'},"
                        + "'n':{'type':'object','properties':{'next':{'type':'object'}}}}}")));
    }

    @Test
    void constBecomesOneValueEnum() {
        assertThat(sanitized("{'const':'x'}")).isEqualTo("{\"enum\":[\"x\"],\"type\":\"string\"}");
    }

    @Test
    void typeArraysBecomeNullableOrAnyOf() {
        assertThat(sanitized("{'type':['string','null']}")).isEqualTo("{\"type\":\"string\",\"nullable\":true}");
        assertThat(sanitized("{'type':['string','integer'],'description':'d','minimum':1}"))
                .isEqualTo("{\"description\":\"d\",\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}");
    }

    @Test
    void anyOfWithNullIsHoisted() {
        assertThat(sanitized("{'anyOf':[{'type':'string'},{'type':'null'}],'description':'d'}"))
                .isEqualTo("{\"description\":\"d\",\"type\":\"string\",\"nullable\":true}");
    }

    @Test
    void movesUnenforceableConstraintsIntoTheDescription() {
        assertThat(sanitized("{'type':'array','items':{'type':'integer','exclusiveMinimum':0,'multipleOf':2},"
                + "'uniqueItems':true,'description':'ids'}"))
                .isEqualTo("{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":0,"
                        + "\"description\":\"(must be greater than 0; must be a multiple of 2)\"},"
                        + "\"description\":\"ids (items must be unique)\"}");
        assertThat(sanitized("{'type':'object','propertyNames':{'pattern':'^[a-z]+$'}}"))
                .isEqualTo("{\"type\":\"object\",\"description\":\"(property names must match ^[a-z]+$)\"}");
    }

    @Test
    void stripsAnthropicToolFieldsAndUnsupportedFormats() {
        assertThat(sanitized("{'type':'string','format':'uri','cache_control':{'type':'ephemeral'},"
                + "'input_examples':[],'defer_loading':true}"))
                .isEqualTo("{\"type\":\"string\",\"description\":\"(format: uri)\"}");
        assertThat(sanitized("{'type':'string','format':'date-time'}"))
                .isEqualTo("{\"type\":\"string\",\"format\":\"date-time\"}");
    }

    @Test
    void enumValuesBecomeNonEmptyStrings() {
        assertThat(sanitized("{'enum':[1,'',true]}")).isEqualTo("{\"enum\":[\"1\",\"true\"],\"type\":\"string\"}");
    }

    @Test
    void arraysWithoutItemsGetStringItems() {
        assertThat(sanitized("{'type':'array'}")).isEqualTo("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
    }

    @Test
    void allOfIsMerged() {
        assertThat(sanitized("{'allOf':[{'type':'object','properties':{'a':{'type':'string'}},'required':['a']},"
                + "{'properties':{'b':{'type':'number'}}}]}"))
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},"
                        + "\"b\":{\"type\":\"number\"}},\"required\":[\"a\"]}");
    }

    @Test
    void geminiSchemasBecomeJsonSchema() {
        assertThat(JsonTrees.writeString(GeminiSchemas.toJsonSchema(json("{'type':'OBJECT','propertyOrdering':['a'],"
                + "'properties':{'a':{'type':'STRING','nullable':true}}}"))))
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"]}}}");
    }

    @Test
    void upperCaseTypesInJsonSchemaAreLoweredAtSchemaPositionsOnly() {
        // Gemini CLI's routing schema uses @google/genai's Type enum inside responseJsonSchema.
        assertThat(JsonTrees.writeString(GeminiSchemas.lowerTypes(json("{'type':'OBJECT','properties':{"
                + "'type':{'type':'STRING','enum':['OBJECT']},'list':{'type':['ARRAY','NULL'],'items':{'type':'INTEGER'}},"
                + "'either':{'anyOf':[{'type':'BOOLEAN'},{'$ref':'#/$defs/D'}],'default':{'type':'OBJECT'}}},"
                + "'$defs':{'D':{'type':'NUMBER'}},'additionalProperties':{'type':'STRING'}}"))))
                .isEqualTo(JsonTrees.writeString(json("{'type':'object','properties':{"
                        + "'type':{'type':'string','enum':['OBJECT']},'list':{'type':['array','null'],'items':{'type':'integer'}},"
                        + "'either':{'anyOf':[{'type':'boolean'},{'$ref':'#/$defs/D'}],'default':{'type':'OBJECT'}}},"
                        + "'$defs':{'D':{'type':'number'}},'additionalProperties':{'type':'string'}}")));
    }

    @Test
    void synthesizedIdsAreStableAndRecognized() {
        String id = GeminiIds.synthesize(3, 1, "get_weather");
        assertThat(id).isEqualTo(GeminiIds.synthesize(3, 1, "get_weather"))
                .isNotEqualTo(GeminiIds.synthesize(3, 0, "get_weather")).matches("^[a-zA-Z0-9_-]+$");
        assertThat(GeminiIds.isSynthesized(id)).isTrue();
        assertThat(GeminiIds.isSynthesized("call_abc")).isFalse();
    }
}
