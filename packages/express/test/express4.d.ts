// `express4` is `npm:express@4` (a devDependency alias); its API matches the v5 types for what we use.
declare module 'express4' {
  import express from 'express';
  export default express;
}
