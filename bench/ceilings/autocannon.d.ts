// The part of autocannon's programmatic API the bench uses (the package ships no types).
declare module "autocannon" {
  export type Options = {
    url: string;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    connections?: number;
    pipelining?: number;
    duration?: number;
  };
  export type Histogram = { average: number; mean: number; p50: number; p90: number; p99: number; max: number; total: number };
  export type Result = { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number; duration: number };
  export default function autocannon(options: Options): Promise<Result>;
}
