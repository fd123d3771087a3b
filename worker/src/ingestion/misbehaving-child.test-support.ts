// A stand-in for extract-child.ts that misbehaves on purpose (extract-subprocess tests): the request's
// filename picks the behaviour. It writes its pid next to the request's path first so the test can check
// that the process is really gone afterwards.
import { writeFileSync } from 'node:fs';

process.once('message', (request: { path: string; options: { filename: string } }) => {
  writeFileSync(`${request.path}.pid`, String(process.pid));
  switch (request.options.filename) {
    case 'hang.txt': {
      // A parser stuck in a CPU loop: the event loop never turns again, no message can be handled.
      for (;;) Math.sqrt(Math.random());
    }
    case 'crash.txt':
      process.exit(7);
      break;
    case 'oom.txt': {
      const hoard: string[][] = [];
      for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => `leak ${i} ${Math.random()}`));
    }
  }
});

process.send?.({ ready: true });
