/** @type {import('next').NextConfig} */
const nextConfig = {
  // The repo lints with Biome (`pnpm lint` at the root); Next's ESLint step would need its own config.
  eslint: { ignoreDuringBuilds: true },
  // No next/image here; never download an optimiser at build or run time.
  images: { unoptimized: true },
  poweredByHeader: false,
};

export default nextConfig;
