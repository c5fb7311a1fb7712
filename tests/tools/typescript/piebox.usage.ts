// A PieBox user's code against the generated types: create a Seedream task, read its id, poll it,
// read the image URLs or the failure, read an error answer.
import type { paths } from "./piebox.api";
import type { JsonAnswer, JsonBody } from "./common";

type CreateSeedream = paths["/v2/extend/image/seedream/generations"]["post"];
type PollSeedream = paths["/v2/extend/image/seedream/tasks/{task_id}"]["get"];
type CreateGptImage = paths["/v2/extend/image/gpt_image/generations"]["post"];
type PollGptImage = paths["/v2/extend/image/gpt_image/tasks/{task_id}"]["get"];
type CreateGemini = paths["/v2/extend/image/generations"]["post"];
type PollGemini = paths["/v2/extend/image/tasks/{task_id}"]["get"];

export const seedream: JsonBody<CreateSeedream> = { prompt: "a cat playing guitar on the moon", size: "2048x2048" };
export const gptImage: JsonBody<CreateGptImage> = { prompt: "a futuristic city at sunset", size: "1024x1024", quality: "medium", n: 2 };
export const gemini: JsonBody<CreateGemini> = { model: "gemini-3.1-flash-image", prompt: "a cat", size: "2K", aspect_ratio: "16:9" };

export function taskId(created: JsonAnswer<CreateSeedream, 200>): string {
  return created.task_id;
}

export function model(created: JsonAnswer<CreateGemini, 200>): string {
  return created.model;
}

export type Status = "pending" | "processing" | "succeeded" | "failed";

export function status(task: JsonAnswer<PollGemini, 200>): Status {
  return task.status;
}

export function imageUrls(task: JsonAnswer<PollSeedream, 200>): string[] {
  return task.status === "succeeded" && task.result ? task.result.images.map((image) => image.url) : [];
}

export function failure(task: JsonAnswer<PollGptImage, 200>): string | undefined {
  return task.status === "failed" ? `${task.error?.code}: ${task.error?.message}` : undefined;
}

export function errorParam(answer: JsonAnswer<PollSeedream, 404>): string | null {
  return answer.error.param;
}

export function badRequest(answer: JsonAnswer<CreateSeedream, 400>): string {
  return `${answer.error.type}: ${answer.error.message}`;
}
