// /docs: Swagger UI over this server's /openapi.json, from vendored files only.
// The bundle is loaded by a classic <script> (a UMD build that defines window.SwaggerUIBundle);
// a module runs after it. FastAPI's own /docs page does the same in an inline script, which
// the pages' Content-Security-Policy (script-src 'self') would block.

globalThis.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // Swagger UI's default validator is validator.swagger.io (a badge image, unreachable offline).
  // BaseLayout shows no badge; null keeps it off should the layout ever change.
  validatorUrl: null,
});
