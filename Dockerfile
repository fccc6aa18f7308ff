# Builds and tests lwsim on a clean Debian 12, exactly as CI does:
#   docker build -t lwsim .        (runs scripts/test during the build)
#   docker run --rm lwsim scripts/demo
FROM debian:bookworm
WORKDIR /src
COPY . .
RUN scripts/deps && rm -rf build out
RUN scripts/test
CMD ["scripts/demo"]
