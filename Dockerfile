# Berth's image: the `berth` command (src/Berth.Cli), run in the cluster as `berth operator --leader-elect`
# (deploy/operator.yaml). Build from the repository root:
#   docker build -t berth:latest .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Build settings first, so that they are in place for the restore.
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt ./
# The reports inline Chart.js, which the build fetches with npm ci from web/package-lock.json.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY web/package.json web/package-lock.json web/
COPY scripts/fetch-web.sh scripts/ensure-npm.sh scripts/
COPY src/ src/
RUN dotnet restore src/Berth.Cli/Berth.Cli.csproj
RUN dotnet publish src/Berth.Cli/Berth.Cli.csproj --configuration Release --no-restore --output /app

# The ASP.NET Core runtime: the operator serves /healthz, /readyz and /metrics.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's non-root user (uid 1654); deploy/operator.yaml runs as it with a read-only root filesystem.
USER $APP_UID
ENV DOTNET_NOLOGO=1 \
    ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/berth.dll"]
CMD ["--help"]
