import browser_cookie3

API_KEY = "{{XAI_KEY}}"
