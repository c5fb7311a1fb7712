// A TokenHub user's code against the generated types: flat and DashScope generation bodies, both
// answers, chat completions for Gemini, an edit's error.
import type { paths } from "./tokenhub.api";
import type { JsonAnswer, JsonBody } from "./common";

type Generate = paths["/v1/images/generations"]["post"];
type Chat = paths["/v1/chat/completions"]["post"];
type Edit = paths["/v1/images/edits"]["post"];

export const flat: JsonBody<Generate> = { model: "tokenhub/gpt-image-2", prompt: "一只橘猫在窗边,摄影风格", size: "1024x1024", n: 1 };
export const seedream: JsonBody<Generate> = { model: "ark/doubao-seedream-4-0-250828", prompt: "城市天际线", size: "1024x1024" };
export const wan: JsonBody<Generate> = {
  model: "wan2.7-image-pro",
  input: { messages: [{ role: "user", content: [{ image: "https://example.com/a.webp" }, { text: "Put a hat on it" }] }] },
  parameters: { bbox_list: [[[989, 515, 1138, 681]]], size: "2K", n: 1 },
};

export function firstImage(answer: JsonAnswer<Generate, 200>): string | undefined {
  if ("data" in answer) {
    const item = answer.data[0];
    return item?.b64_json ?? item?.url ?? undefined;
  }
  return answer.output.choices[0]?.message.content[0]?.image;
}

export const chat: JsonBody<Chat> = {
  model: "tokenhub/gemini-3.1-flash-image-preview",
  messages: [{ role: "user", content: "画一只橘猫,摄影风格" }],
};

export function chatContent(answer: JsonAnswer<Chat, 200>): string {
  return answer.choices[0]?.message.content ?? "";
}

export function imageTokens(answer: JsonAnswer<Chat, 200>): number {
  return answer.usage.completion_tokens_details.image_tokens;
}

export function editError(answer: JsonAnswer<Edit, 400>): string {
  return `${answer.error.param}: ${answer.error.message}`;
}

export function generationError(answer: JsonAnswer<Generate, 400>): string {
  return "error" in answer ? answer.error.message : `${answer.code}: ${answer.message}`;
}
