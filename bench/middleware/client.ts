/**
 * A minimal HTTP/1.1 load client for `inproc.ts`, run as a child process so its CPU time is not counted
 * against the target. On each IPC message `{ port, requests, connections, request }` it sends exactly
 * `requests` copies of the prebuilt raw request over `connections` keep-alive sockets (one in flight per
 * socket), then answers `{ non2xx }`. Bounded: every run ends after a fixed number of responses.
 */
import { connect, type Socket } from 'node:net';

interface Job {
  port: number;
  requests: number;
  connections: number;
  request: string;
}

const HEADER_END = '\r\n\r\n';

/** Reads one response at a time off the socket; calls `onResponse(status)` for each complete one. */
function responseReader(onResponse: (status: number) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    for (;;) {
      const end = buffer.indexOf(HEADER_END);
      if (end === -1) {
        return;
      }
      const head = buffer.slice(0, end);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      let total: number;
      if (length) {
        total = end + HEADER_END.length + Number(length[1]);
      } else {
        const last = buffer.indexOf('\r\n0\r\n\r\n', end);
        if (last === -1) {
          return;
        }
        total = last + 7;
      }
      if (buffer.length < total) {
        return;
      }
      buffer = buffer.slice(total);
      onResponse(Number(head.slice(9, 12)));
    }
  };
}

function run(job: Job): Promise<{ non2xx: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let received = 0;
    let non2xx = 0;
    const sockets: Socket[] = [];
    const finish = () => {
      for (const s of sockets) {
        s.destroy();
      }
      resolve({ non2xx });
    };
    for (let c = 0; c < Math.min(job.connections, job.requests); c++) {
      const socket = connect(job.port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.setEncoding('latin1');
      sockets.push(socket);
      socket.on('error', reject);
      socket.on(
        'data',
        responseReader((status) => {
          received += 1;
          if (status < 200 || status > 299) {
            non2xx += 1;
          }
          if (received === job.requests) {
            finish();
          } else if (sent < job.requests) {
            sent += 1;
            socket.write(job.request);
          }
        }),
      );
      sent += 1;
      socket.write(job.request);
    }
  });
}

process.on('message', (job: Job) => {
  run(job).then(
    (result) => process.send?.(result),
    (error: Error) => process.send?.({ error: error.message }),
  );
});
process.on('disconnect', () => process.exit(0));
