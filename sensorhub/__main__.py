from sensorhub.cli import main

main()
