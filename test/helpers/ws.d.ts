// The `ws` package ships no types and @types/ws is not a dependency; the tests only hand its
// WebSocket class to @jupyterlab/services.
declare module "ws" {
  const WebSocket: unknown;
  export default WebSocket;
}
