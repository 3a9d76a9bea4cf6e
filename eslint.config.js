// Lint config: typescript-eslint's recommended rules over every workspace.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/node_modules/", ".data/", "coverage/", "deploy/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The web console's browser modules (services/gateway/console): plain ES modules run by the browser.
    files: ["services/gateway/console/**/*.js"],
    languageOptions: {
      globals: Object.fromEntries(
        ["window", "document", "location", "history", "fetch", "sessionStorage", "CustomEvent", "URLSearchParams", "FormData", "AbortController", "TextDecoderStream", "setTimeout", "clearTimeout", "setInterval", "clearInterval"].map((name) => [name, "readonly"]),
      ),
    },
  },
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
);
