import { defineConfig } from "vitest/config";
/**
 * Two projects: "interp" runs every test with the JIT off; "jit" runs every test again with the
 * JIT forced (every block compiled before it first runs). `npx vitest run --project interp` (or jit) selects one.
 */
const common = { testTimeout: 120000, hookTimeout: 600000 };
export default defineConfig({
  test: {
    projects: [
      { test: { ...common, name: "interp", include: ["tests/**/*.test.ts"], env: { RINGONE_JIT: "off" } } },
      {
        test: {
          ...common, name: "jit",
          include: ["tests/**/*.test.ts"],
          env: { RINGONE_JIT: "force" },
        },
      },
    ],
  },
});
