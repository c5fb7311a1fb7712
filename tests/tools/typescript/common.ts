// Helpers for the typed usage files: the JSON request body and JSON answers of an operation of the
// types openapi-typescript generates (`paths[...]["post"]`). `Known<T>` is `never` when T is
// `unknown`, so a request typed `unknown` (any value accepted) fails to compile instead of passing.
export type Known<T> = unknown extends T ? never : T;
export type JsonBody<Op extends { requestBody?: { content: { "application/json": unknown } } }> = Known<
  NonNullable<Op["requestBody"]>["content"]["application/json"]
>;
export type JsonAnswer<Op extends { responses: object }, Status extends keyof Op["responses"]> =
  Op["responses"][Status] extends { content: { "application/json": infer B } } ? Known<B> : never;
