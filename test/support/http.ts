// Loosely typed JSON for assertions in tests (the assertions themselves check the shape).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const json = async (res: Response): Promise<Json> => (await res.json()) as Json;
