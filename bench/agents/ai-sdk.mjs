// The Vercel AI SDK against Rosetta: generateText and streamText, each with one tool, through one of
// the SDK's providers. Run by bench/agents.sh with the pinned packages of bench/agents/package.json.
//
//   node ai-sdk.mjs PROVIDER BASE PROMPT
//     PROVIDER  openai-chat | openai-responses | anthropic | google
//     BASE      Rosetta's address, e.g. http://127.0.0.1:8080
//     PROMPT    the user's message
//
// Prints each call's text (and the tool calls made) and exits 0 when both calls answered; any
// error exits 1 with the SDK's message on stderr.
import { generateText, streamText, tool, stepCountIs } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { z } from 'zod';

const [providerName, base, prompt] = process.argv.slice(2);
if (!providerName || !base || !prompt) {
  console.error('usage: node ai-sdk.mjs openai-chat|openai-responses|anthropic|google BASE PROMPT');
  process.exit(2);
}

// Each SDK provider takes its base URL as its official SDK does: OpenAI's and Anthropic's end in
// /v1, Google's in /v1beta. The key is never checked by Rosetta's mock upstream.
const model = {
  'openai-chat': () => createOpenAI({ baseURL: `${base}/v1`, apiKey: 'unused' }).chat('gpt-5-mini'),
  'openai-responses': () => createOpenAI({ baseURL: `${base}/v1`, apiKey: 'unused' }).responses('gpt-5-mini'),
  anthropic: () => createAnthropic({ baseURL: `${base}/v1`, apiKey: 'unused' })('claude-haiku-4-5'),
  google: () => createGoogleGenerativeAI({ baseURL: `${base}/v1beta`, apiKey: 'unused' })('gemini-2.5-flash'),
}[providerName];
if (!model) {
  console.error(`unknown provider ${providerName}`);
  process.exit(2);
}

// The tool the model may call; its answer carries a token the caller can look for in the final text.
const tools = {
  read_note: tool({
    description: 'Reads the note with the given name and returns its text.',
    inputSchema: z.object({ name: z.string().describe('the note to read') }),
    execute: async ({ name }) => `note ${name}: rosetta-ai-sdk-tool-ok`,
  }),
};

function report(label, result) {
  const calls = result.steps.flatMap((s) => s.toolCalls).map((c) => `${c.toolName}(${JSON.stringify(c.input)})`);
  console.log(`${label}: ${result.text}${calls.length ? `  [tool calls: ${calls.join(', ')}]` : ''}`);
}

try {
  const generated = await generateText({ model: model(), tools, prompt, stopWhen: stepCountIs(3), maxRetries: 0 });
  report('generateText', generated);

  const streamed = streamText({
    model: model(), tools, prompt, stopWhen: stepCountIs(3), maxRetries: 0,
    onError: ({ error }) => { throw error; },
  });
  let text = '';
  for await (const delta of streamed.textStream) {
    text += delta;
  }
  const steps = await streamed.steps;
  report('streamText', { text, steps });
} catch (e) {
  console.error(`${providerName}: ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
  if (e?.responseBody) console.error(`response body: ${e.responseBody}`);
  process.exit(1);
}
