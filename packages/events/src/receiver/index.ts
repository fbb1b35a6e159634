export const receiver = {};
