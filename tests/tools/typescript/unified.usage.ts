// A user's code against the generated types of the unified endpoint (Gravitex and Image Series;
// the test writes one copy per gateway, importing that gateway's types): one body per family, the
// wrapped answer, the wrapped error whose code is the HTTP status.
import type { paths } from "./GATEWAY.api";
import type { JsonAnswer, JsonBody } from "./common";

type Generate = paths["/v1/images/generations"]["post"];

export const gemini: JsonBody<Generate> = { model: "gemini-2.5-flash-image", prompt: "A cute orange kitten", size: "16:9", image_size: "2K" };
export const geminiContents: JsonBody<Generate> = {
  model: "gemini-2.5-flash-image",
  contents: [{ role: "user", parts: [{ text: "An aerial view of this tower" }, { image: "https://example.com/tower.jpg" }] }],
};
export const seedream: JsonBody<Generate> = { model: "doubao-seedream-4-0-250828", prompt: "A kitten", size: "2048x2048" };

export function firstImage(answer: JsonAnswer<Generate, 200>): string {
  const item = answer.data.data[0];
  return item ? item.url || item.b64_json : "";
}

export function created(answer: JsonAnswer<Generate, 200>): number {
  return answer.data.created;
}

export const success = (answer: JsonAnswer<Generate, 200>): 200 => answer.code;

export function badRequest(answer: JsonAnswer<Generate, 400>): string {
  const status: 400 = answer.code;
  return `${status}: ${answer.msg}`;
}

export const rateLimited = (answer: JsonAnswer<Generate, 429>): 429 => answer.code;
