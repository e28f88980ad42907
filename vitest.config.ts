import { defineConfig } from "vitest/config";
/**
 * Two projects: "interp" runs every test with the JIT off; "jit" runs the ISA differential tests,
 * the unit tests, the guest kernels (PC and Xen PV), the device tests and the JIT's own tests with
 * the JIT forced (every block compiled before it first runs). `npx vitest run --project interp` (or jit) selects one.
 */
const common = { testTimeout: 120000, hookTimeout: 600000 };
export default defineConfig({
  test: {
    projects: [
      { test: { ...common, name: "interp", include: ["tests/**/*.test.ts"], env: { RINGONE_JIT: "off" } } },
      {
        test: {
          ...common, name: "jit",
          include: ["tests/isa/*.test.ts", "tests/unit/*.test.ts", "tests/system/*.test.ts", "tests/jit/*.test.ts", "tests/xen/*.test.ts", "tests/pc/*.test.ts"],
          env: { RINGONE_JIT: "force" },
        },
      },
    ],
  },
});
