export { describeReceiverExample } from './describe-receiver-example.js';
export { CLICK_DATA, envelope, nextId, OTHER_SECRET, SECRET } from './fixtures.js';
