// Uses the API key; the Cookie: sso=... header and grok.com/rest/ are gone.
const key = process.env.XAI_API_KEY;
const res = await fetch("https://api.x.ai/v1/models", { headers: { Authorization: `Bearer ${key}` } });
const ssome = "ssome=1";
