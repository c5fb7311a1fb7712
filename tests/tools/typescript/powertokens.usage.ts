// A PowerTokens user's code against the generated types: a Seedream request, the image URLs and
// the per-item errors of the answer, an error answer.
import type { paths } from "./powertokens.api";
import type { JsonAnswer, JsonBody } from "./common";

type Generate = paths["/v1/images/generations"]["post"];

export const request: JsonBody<Generate> = {
  model: "seedream-4-5-251128",
  prompt: "A cute corgi running on grass, sunny day, realistic style",
  size: "2048x2048",
  response_format: "url",
  sequential_image_generation: "auto",
  sequential_image_generation_options: { max_images: 3 },
};

export function urls(answer: JsonAnswer<Generate, 200>): string[] {
  return answer.data.flatMap((item) => (item.url ? [item.url] : []));
}

export function failures(answer: JsonAnswer<Generate, 200>): string[] {
  return answer.data.flatMap((item) => (item.error ? [`${item.error.code}: ${item.error.message}`] : []));
}

export function sizes(answer: JsonAnswer<Generate, 200>): (string | undefined)[] {
  return answer.data.map((item) => item.size);
}

export function generated(answer: JsonAnswer<Generate, 200>): number | undefined {
  return answer.metadata.usage?.generated_images;
}

export function errorMessage(answer: JsonAnswer<Generate, 400>): string {
  return `${answer.error.code ?? answer.error.type}: ${answer.error.message}`;
}
