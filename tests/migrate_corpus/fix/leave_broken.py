import browser_cookie3

def ask(prompt:
    return browser_cookie3.chrome()
