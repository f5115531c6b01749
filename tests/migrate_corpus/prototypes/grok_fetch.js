// fetch("https://grok.com/rest/app-chat/conversations/new")  -- the old way, kept for reference
const url = "https://grok.com/rest/app-chat/conversations/new";
const res = await fetch(url, {
  method: "POST",
  headers: { Cookie: `sso=${process.env.SSO}` },
  body: JSON.stringify({ message: "hi", apiKey: "{{XAI_KEY}}" }),
});
const sso = document.cookie.split("; ").find((c) => c.startsWith("sso="));
