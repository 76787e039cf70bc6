// nock 15 intercepts fetch through @mswjs/interceptors, which calls Promise.withResolvers
// (Node 22+). The project supports Node >= 20.18, so the test process gets the standard shape.
const P = Promise as unknown as { withResolvers?: <T>() => PromiseWithResolversShape<T> };
interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}
P.withResolvers ??= <T>() => {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
