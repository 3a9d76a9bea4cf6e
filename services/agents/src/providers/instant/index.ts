// Public surface of the `bench` provider (instant answers, no NLP) used by `npm run bench`.
export { instantOutput, instantProvider } from "./provider.ts";
